package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} and {@code evaluate} on ratings that used to make biased MF diverge, and on a model
 * that does diverge: the first learn, the second fail with one clear line instead of writing a
 * broken model or reporting it as zeros.
 */
class ModelHealthCliTest {

  @TempDir Path dir;

  private Path divergingConfig() throws IOException {
    // no model survives SGD steps this large: a stand-in for any training that diverges
    return Files.writeString(dir.resolve("diverge.json"), "{\"learningRate\": 10000}");
  }

  private JsonNode evaluateMf(Path data, String name) throws IOException {
    Path json = dir.resolve(name + ".json");
    CliHarness.Result run = CliHarness.runOnce("evaluate", "--data", data.toString(), "--format", "movielens", "--model", "mf",
        "--protocol", "kfold", "--folds", "3", "--json", json.toString());
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    return Json.MAPPER.readTree(json.toFile()).path("metrics");
  }

  @Test
  void evaluateOnAHundredPointScaleScoresAsOnTheStarScaleTimesTwenty() throws IOException {
    JsonNode percent = evaluateMf(CliHarness.percentRatingsCsv(dir.resolve("percent.csv"), 1), "percent");
    JsonNode stars = evaluateMf(CliHarness.percentRatingsCsv(dir.resolve("stars.csv"), 20), "stars");

    assertThat(percent.path("rmse").isNumber()).as("rmse %s", percent.path("rmse")).isTrue();
    // the scale is only a unit: the same ratings in percent are learned as well as in stars
    assertThat(percent.path("rmse").asDouble()).isCloseTo(20 * stars.path("rmse").asDouble(), Percentage.withPercentage(1));
    // the noise alone is 25 points and predicting the mean misses by about 35: the effects were learned
    assertThat(percent.path("rmse").asDouble()).isBetween(15.0, 30.0);
    assertThat(percent.path("ndcg@10").asDouble()).isPositive();
  }

  @Test
  void oneWildRatingStillTrainsAWorkingModel() throws IOException {
    Path data = CliHarness.ratingsCsv(dir.resolve("ratings.csv"), 8_000, v -> v);
    Files.writeString(data, "3,7,1000000.0,1700000000\n", java.nio.file.StandardOpenOption.APPEND);
    Path model = dir.resolve("mf.pmdl");

    CliHarness.Result train = CliHarness.runOnce("train", "--data", data.toString(), "--format", "movielens", "--model", "mf",
        "--out", model.toString());
    assertThat(train.exitCode()).as(train.stderr()).isZero();
    CliHarness.Result recommend = CliHarness.runOnce("recommend", "--model", model.toString(), "--user", "5", "--k", "5", "--json");

    JsonNode items = Json.MAPPER.readTree(recommend.stdout()).path("items");
    assertThat(items).hasSize(5);
    items.forEach(item -> assertThat(item.path("score").isNumber()).as(item.toString()).isTrue());
  }

  @Test
  void trainRefusesToWriteADivergedModel() throws IOException {
    Path data = CliHarness.ratingsCsv(dir.resolve("ratings.csv"), 8_000, v -> v);
    Path model = dir.resolve("mf.pmdl");

    CliHarness.Result train = CliHarness.runOnce("train", "--data", data.toString(), "--format", "movielens", "--model", "mf",
        "--out", model.toString(), "--config", divergingConfig().toString());

    assertThat(train.exitCode()).isEqualTo(Main.USER_ERROR);
    assertThat(train.stderr().strip()).startsWith("perennial: error: the trained mf model is unusable, so " + model
        + " was not written: mf model has").contains("training diverged").doesNotContain("\n").doesNotContain("Exception");
    assertThat(model).doesNotExist();
  }

  @Test
  void evaluateFailsClearlyInsteadOfReportingADivergedModelAsZeros() throws IOException {
    Path data = CliHarness.ratingsCsv(dir.resolve("ratings.csv"), 8_000, v -> v);
    Path json = dir.resolve("out.json");

    CliHarness.Result evaluate = CliHarness.runOnce("evaluate", "--data", data.toString(), "--format", "movielens", "--model", "mf",
        "--protocol", "kfold", "--folds", "3", "--json", json.toString(), "--config", divergingConfig().toString());

    assertThat(evaluate.exitCode()).isEqualTo(Main.USER_ERROR);
    assertThat(evaluate.stderr().strip())
        .startsWith("perennial: error: the mf model trained on split 1 of 3 is unusable, nothing was evaluated: mf model has")
        .doesNotContain("\n");
    assertThat(evaluate.stdout()).doesNotContain("0.0000");
    assertThat(json).doesNotExist();
  }
}
