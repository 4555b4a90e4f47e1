package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code simulate --difficulty-replay} for the strategies that learn event by event. */
class DifficultyReplayCliTest {

  @TempDir Path dir;

  @Test
  void theFlagReachesTheBprConfigOfTheOnlineStrategies() throws Exception {
    Path data = CliHarness.ratingsCsv(dir, 2_000);
    Path config = Files.writeString(dir.resolve("c.json"), "{\"epochs\": 2, \"factors\": 8}");
    Path report = dir.resolve("sim");
    CliHarness.Result run = CliHarness.runOnce("simulate", "--data", data.toString(), "--model", "bpr",
        "--strategies", "online", "--difficulty-replay", "--config", config.toString(), "--report", report.toString());
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    JsonNode written = Json.MAPPER.readTree(report.resolve("report.json").toFile());
    assertThat(written.path("model_config").path("onlineReplayByLoss").asBoolean()).isTrue();
    assertThat(written.path("strategy_config").path("difficultyReplay").asBoolean()).isTrue();

    Path plain = dir.resolve("plain");
    CliHarness.Result without = CliHarness.runOnce("simulate", "--data", data.toString(), "--model", "bpr",
        "--strategies", "online", "--config", config.toString(), "--report", plain.toString());
    assertThat(without.exitCode()).as(without.stderr()).isZero();
    JsonNode uniform = Json.MAPPER.readTree(plain.resolve("report.json").toFile());
    assertThat(uniform.path("model_config").path("onlineReplayByLoss").asBoolean()).isFalse();
  }

  @Test
  void onlyTheOnlineStrategiesOfAModelWithTheReplayAreSwitched() {
    ObjectNode hybrid = Json.object();
    assertThat(SimulateCommand.applyOnlineDifficultyReplay(hybrid, "bpr", List.of("static", "gated-hybrid"), true))
        .isNull();
    assertThat(hybrid.path("onlineReplayByLoss").asBoolean()).isTrue();

    ObjectNode incrementalOnly = Json.object();
    SimulateCommand.applyOnlineDifficultyReplay(incrementalOnly, "bpr", List.of("incremental"), true);
    assertThat(incrementalOnly.has("onlineReplayByLoss")).isFalse();

    ObjectNode off = Json.object();
    SimulateCommand.applyOnlineDifficultyReplay(off, "bpr", List.of("online"), false);
    assertThat(off.has("onlineReplayByLoss")).isFalse();

    ObjectNode userSaidNo = Json.object().put("onlineReplayByLoss", false);
    SimulateCommand.applyOnlineDifficultyReplay(userSaidNo, "bpr", List.of("online"), true);
    assertThat(userSaidNo.path("onlineReplayByLoss").asBoolean()).isFalse();
  }

  @Test
  void aModelWithoutTheReplayIsToldSoOrRefused() throws Exception {
    ObjectNode ials = Json.object();
    assertThat(SimulateCommand.applyOnlineDifficultyReplay(ials, "ials", List.of("incremental", "online"), true))
        .contains("no effect on online with --model ials").contains("incremental still replays");
    assertThat(ials.has("onlineReplayByLoss")).isFalse();
    assertThatThrownBy(() -> SimulateCommand.applyOnlineDifficultyReplay(Json.object(), "ials", List.of("gated"), true))
        .isInstanceOf(UserException.class).hasMessageContaining("no effect on gated");

    Path data = CliHarness.ratingsCsv(dir, 2_000);
    CliHarness.Result refused = CliHarness.runOnce("simulate", "--data", data.toString(), "--model", "ials",
        "--strategies", "online", "--difficulty-replay", "--report", dir.resolve("sim").toString());
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr()).contains("--difficulty-replay has no effect on online with --model ials")
        .doesNotContain("Exception");
  }
}
