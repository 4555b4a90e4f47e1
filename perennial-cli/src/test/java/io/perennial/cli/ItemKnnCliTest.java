package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code perennial train --model itemknn} on ratings of 0 and 1, which crashed the neighbour
 * computation with an ArrayIndexOutOfBoundsException (issue 19).
 */
class ItemKnnCliTest {

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;

  @BeforeEach
  void captureStdout() {
    originalOut = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStdout() {
    System.setOut(originalOut);
  }

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    return cli.execute(args);
  }

  @Test
  void trainsAndRecommendsOnZeroAndOneRatings() throws IOException {
    Path data = dir.resolve("zero-one.csv");
    StringBuilder csv = new StringBuilder("user,item,value,timestamp\n");
    SplittableRandom random = new SplittableRandom(19);
    for (int row = 0; row < 3_000; row++) {
      csv.append('u').append(random.nextInt(100)).append(",i").append(random.nextInt(60)).append(',')
          .append(random.nextInt(2)).append(',').append(1_000 + row).append('\n');
    }
    Files.writeString(data, csv);
    Path model = dir.resolve("knn.pmdl");

    int trained = run("train", "--data", data.toString(), "--format", "csv", "--model", "itemknn",
        "--out", model.toString());

    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("internal error");
    assertThat(trained).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("trained itemknn");
    out.reset();
    assertThat(run("recommend", "--model", model.toString(), "--user", "u1", "--k", "5", "--json")).isZero();
    JsonNode recs = Json.MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(recs.path("items")).hasSize(5);
    assertThat(recs.path("fallback").asBoolean()).isFalse();
  }
}
