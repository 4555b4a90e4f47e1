package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --config} values the model cannot use end in one line naming the file and the field (or
 * the memory figure), exit 2, and no model file: not an OutOfMemoryError, and not a silently
 * truncated or infinite setting.
 */
class ConfigValidationCliTest {

  @TempDir Path dir;
  private Path data;

  @BeforeEach
  void setUp() throws IOException {
    data = dir.resolve("ratings.csv");
    StringBuilder csv = new StringBuilder("userId,movieId,rating,timestamp\n");
    for (int row = 0; row < 400; row++) {
      csv.append(row % 40).append(',').append(row % 23).append(',').append(1 + row % 5).append(',')
          .append(1_000 + row).append('\n');
    }
    Files.writeString(data, csv);
  }

  private String trainWith(String model, String config) throws IOException {
    Path file = dir.resolve("cfg.json");
    Files.writeString(file, config);
    Path modelFile = dir.resolve("m.pmdl");
    CliHarness.Result run = CliHarness.runOnce("train", "--data", data.toString(), "--format", "movielens", "--model", model,
        "--config", file.toString(), "--out", modelFile.toString());
    assertThat(run.exitCode()).as("exit code").isEqualTo(Main.USER_ERROR);
    assertThat(modelFile).doesNotExist();
    String message = run.stderr().strip();
    assertThat(message).doesNotContain("\n").doesNotContain("Exception").doesNotContain("Error:");
    return message;
  }

  @Test
  void aHundredMillionFactorsIsRefusedWithTheMemoryFigure() throws IOException {
    assertThat(trainWith("mf", "{\"factors\": 100000000}"))
        .startsWith("perennial: error: mf with this config needs about ")
        .contains("for 40 users × 23 items, more than the heap maximum of ")
        .contains("GiB");
  }

  @Test
  void aFractionalSeedIsRefusedNamingTheFileAndField() throws IOException {
    assertThat(trainWith("bpr", "{\"seed\": 1.5}")).isEqualTo("perennial: error: " + dir.resolve("cfg.json")
        + ": config field 'seed' for bpr: must be a whole number, got 1.5");
  }

  @Test
  void anInfiniteNumberIsRefusedNamingTheFileAndField() throws IOException {
    assertThat(trainWith("ials", "{\"ials\": {\"regularization\": 1e400}}")).isEqualTo("perennial: error: "
        + dir.resolve("cfg.json") + ": config field 'regularization' for ials: must be a finite number,"
        + " got a number too large to represent");
  }
}
