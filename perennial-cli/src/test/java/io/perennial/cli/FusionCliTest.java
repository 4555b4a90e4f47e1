package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --model fusion --members …} on train, evaluate and recommend (issue 16). */
class FusionCliTest {

  @TempDir Path dir;

  @Test
  void trainsEvaluatesAndRecommendsAFusionWithMemberConfigsFromTheConfigFile() throws IOException {
    Path data = CliHarness.ratingsCsv(dir, 3_000);
    Path config = dir.resolve("config.json");
    Files.writeString(config, "{\"fusion\": {\"method\": \"weighted\", \"weights\": [2, 1]}, \"bpr\": {\"factors\": 8}}");
    Path json = dir.resolve("eval.json");
    CliHarness.Result evaluated = CliHarness.runOnce("evaluate", "--data", data.toString(), "--format", "csv",
        "--implicit", "--model", "fusion", "--members", "itemknn,bpr", "--config", config.toString(),
        "--protocol", "user-temporal", "--json", json.toString());
    assertThat(evaluated.stderr()).doesNotContain("internal error");
    assertThat(evaluated.exitCode()).as(evaluated.stderr()).isZero();
    JsonNode result = Json.MAPPER.readTree(json.toFile());
    assertThat(result.path("metrics").path("ndcg@10").isNumber()).isTrue();
    assertThat(result.path("config").path("members")).hasSize(2);
    assertThat(result.path("config").path("memberConfigs").path("bpr").path("factors").asInt()).isEqualTo(8);
    assertThat(result.path("config").path("method").asText()).isEqualTo("weighted");
    // the members are scored inside the fused model, on the same split: item-kNN is deterministic,
    // so its figure is the one it gets evaluated on its own
    JsonNode members = result.path("members");
    assertThat(members).hasSize(2);
    assertThat(members.get(0).path("model").asText()).isEqualTo("itemknn");
    assertThat(members.get(1).path("model").asText()).isEqualTo("bpr");
    assertThat(members.get(0).path("weight").asDouble()).isGreaterThan(members.get(1).path("weight").asDouble());
    assertThat(evaluated.stdout()).contains("  itemknn", "  bpr", "weight");
    Path alone = dir.resolve("itemknn.json");
    CliHarness.Result single = CliHarness.runOnce("evaluate", "--data", data.toString(), "--format", "csv",
        "--implicit", "--model", "itemknn", "--protocol", "user-temporal", "--json", alone.toString());
    assertThat(single.exitCode()).as(single.stderr()).isZero();
    JsonNode singleResult = Json.MAPPER.readTree(alone.toFile());
    assertThat(singleResult.has("members")).isFalse();
    assertThat(members.get(0).path("metrics").path("ndcg@10").asDouble())
        .isEqualTo(singleResult.path("metrics").path("ndcg@10").asDouble());

    Path model = dir.resolve("fusion.pmdl");
    CliHarness.Result trained = CliHarness.runOnce("train", "--data", data.toString(), "--format", "csv",
        "--implicit", "--model", "fusion", "--members", "itemknn,bpr", "--out", model.toString());
    assertThat(trained.exitCode()).isZero();
    CliHarness.Result recommended = CliHarness.runOnce("recommend", "--model", model.toString(), "--user", "1",
        "--k", "5", "--json");
    assertThat(recommended.exitCode()).isZero();
    assertThat(Json.MAPPER.readTree(recommended.stdout()).path("items")).hasSize(5);
  }

  @Test
  void badMemberListsAreOneLine() throws IOException {
    Path data = CliHarness.ratingsCsv(dir, 500);
    CliHarness.Result unknown = CliHarness.runOnce("evaluate", "--data", data.toString(), "--format", "csv",
        "--implicit", "--model", "fusion", "--members", "ials,nope");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.stderr()).contains("'nope' is not a model that can be fused").doesNotContain("Exception");
    CliHarness.Result stray = CliHarness.runOnce("evaluate", "--data", data.toString(), "--format", "csv",
        "--implicit", "--model", "ials", "--members", "ials,bpr");
    assertThat(stray.exitCode()).isEqualTo(2);
    assertThat(stray.stderr()).contains("--members names the models of a fusion; add --model fusion");
  }
}
