package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code perennial train --model itemknn} on ratings of 0 and 1, which crashed the neighbour
 * computation with an ArrayIndexOutOfBoundsException (issue 19).
 */
class ItemKnnCliTest {

  @TempDir Path dir;
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

    CliHarness.Result trained = CliHarness.runOnce("train", "--data", data.toString(), "--format", "csv",
        "--model", "itemknn", "--out", model.toString());

    assertThat(trained.stderr()).doesNotContain("internal error");
    assertThat(trained.exitCode()).isZero();
    assertThat(trained.stdout()).contains("trained itemknn");
    CliHarness.Result recommended = CliHarness.runOnce("recommend", "--model", model.toString(), "--user", "u1",
        "--k", "5", "--json");
    assertThat(recommended.exitCode()).isZero();
    JsonNode recs = Json.MAPPER.readTree(recommended.stdout());
    assertThat(recs.path("items")).hasSize(5);
    assertThat(recs.path("fallback").asBoolean()).isFalse();
  }
}
