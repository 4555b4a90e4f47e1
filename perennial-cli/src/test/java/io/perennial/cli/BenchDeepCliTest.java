package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench deep} on a tiny size: the figures it prints and the JSON it writes. */
class BenchDeepCliTest {

  @TempDir Path dir;

  @Test
  void writesStepAndEpochTimesAsJson() throws Exception {
    Path data = CliHarness.ratingsCsv(dir, 2_000);
    Path json = dir.resolve("deep.json");
    Path config = dir.resolve("online.json");
    Files.writeString(config, "{\"onlineSteps\": 2, \"onlineReplay\": 3, \"onlineNegatives\": 64}");
    CliHarness.Result result = CliHarness.runOnce("bench", "deep", "--config", config.toString(), "--batch", "8", "--length", "10", "--factors", "16",
        "--items", "300", "--steps", "3", "--warmup", "1", "--threads", "2", "--online-events", "20", "--online-users", "40",
        "--data", data.toString(),
        "--json", json.toString());
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).contains("SASRec step (batch 8 x length 10, d 16").contains("SASRec epoch over");
    JsonNode root = Json.MAPPER.readTree(Files.readString(json));
    assertThat(root.get("step_ms_median").asDouble()).isPositive();
    assertThat(root.get("step_ms_min").asDouble()).isLessThanOrEqualTo(root.get("step_ms_median").asDouble());
    assertThat(root.get("epoch_s").asDouble()).isPositive();
    assertThat(result.stdout()).contains("SASRec online update (2 steps on the user's window + 3 replayed, 64 negatives, length 10")
        .contains("SASRec scores of one user over 300 items");
    assertThat(root.get("online_events").asInt()).isEqualTo(20);
    assertThat(root.get("online_negatives").asInt()).isEqualTo(64);
    assertThat(root.get("online_ms_median").asDouble()).isPositive();
    assertThat(root.get("online_ms_min").asDouble()).isLessThanOrEqualTo(root.get("online_ms_median").asDouble());
    assertThat(root.get("score_ms_median").asDouble()).isPositive();
    assertThat(root.get("session_score_ms_median").asDouble()).isPositive();
    assertThat(root.get("peak_heap_mb").asDouble()).isPositive();
    assertThat(root.get("batch").asInt()).isEqualTo(8);
    assertThat(root.get("interactions").asInt()).isBetween(1, 2_000); // repeated pairs keep their last rating
  }

  @Test
  void refusesABadConfigFieldNamingTheFile() throws Exception {
    Path config = dir.resolve("bad.json");
    Files.writeString(config, "{\"onlineNegatives\": -1}");
    CliHarness.Result result = CliHarness.runOnce("bench", "deep", "--config", config.toString());
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("bad.json").contains("onlineNegatives");
  }

  @Test
  void refusesTooFewOnlineUsers() {
    CliHarness.Result result = CliHarness.runOnce("bench", "deep", "--online-users", "1");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("--online-users");
  }

  @Test
  void refusesHeadsThatDoNotDivideTheWidth() {
    CliHarness.Result result = CliHarness.runOnce("bench", "deep", "--factors", "10", "--heads", "3");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("--heads must divide --factors");
  }
}
