package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code perennial recipes} on a small synthetic set, and its verdict rule on fixed numbers (issue 16). */
class RecipesCliTest {

  @TempDir Path dir;

  @Test
  void runsEachRecipeAgainstItsAblationAndWritesTableJsonAndHtml() throws IOException {
    Path data = CliHarness.ratingsCsv(dir, 2_000);
    Path config = dir.resolve("bpr.json");
    Files.writeString(config, "{\"factors\": 8, \"epochs\": 8}");
    Path json = dir.resolve("recipes.json");
    Path html = dir.resolve("recipes.html");
    CliHarness.Result r = CliHarness.runOnce("recipes", "--data", data.toString(), "--format", "csv", "--implicit",
        "--model", "bpr", "--recipes", "curriculum,progressive,fusion", "--curriculum", "popularity:root:0.5:3",
        "--members", "pop,bpr", "--seeds", "2", "--config", config.toString(), "--json", json.toString(),
        "--report", html.toString());
    assertThat(r.stderr()).doesNotContain("Exception");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("verdict", "popularity:root:0.5:3", "widen 2→4→8", "fusion pop,bpr");
    JsonNode root = Json.MAPPER.readTree(json.toFile());
    JsonNode rows = root.path("recipes");
    // curriculum, progressive (widen, widen + warm-up), fusion
    assertThat(rows).hasSize(4);
    for (JsonNode row : rows) {
      assertThat(row.path("ndcg@10")).hasSize(2);
      assertThat(row.path("verdict").asText()).isIn("helps", "no effect within noise", "hurts");
      assertThat(row.path("cpu_s_mean").asDouble()).isGreaterThan(0);
    }
    assertThat(rows.get(0).path("override").path("curriculum").path("scorer").asText()).isEqualTo("popularity");
    assertThat(rows.get(0).path("ablation").asText()).isEqualTo("plain bpr");
    assertThat(rows.get(0).path("epochs_to_best")).hasSize(2);
    assertThat(rows.get(3).path("ablation").asText()).startsWith("best member (");
    // the plain model ran once per seed and is shared by every recipe: 2 seeds × (1 curriculum + 2
    // progressive + 1 fusion + plain bpr + bpr member without early stopping) runs, and pop (no seed) once
    assertThat(root.path("runs")).hasSize(13);
    // the fusion's bpr member trains with the user's config, as its ablation does
    JsonNode fusionRun = root.path("runs").get(8);
    assertThat(fusionRun.path("algorithm").asText()).isEqualTo("fusion");
    assertThat(fusionRun.path("config").path("memberConfigs").path("bpr").path("factors").asInt()).isEqualTo(8);
    assertThat(root.path("verdict_rule").asText()).contains("2 x its standard error");
    assertThat(Files.readString(html)).contains("Recipes against their ablations", "plain bpr");
  }

  @Test
  void recipesThatDoNotApplyAreListedAsSkippedAndBadOptionsAreOneLine() throws IOException {
    Path data = CliHarness.ratingsCsv(dir, 800);
    Path json = dir.resolve("r.json");
    CliHarness.Result skipped = CliHarness.runOnce("recipes", "--data", data.toString(), "--format", "csv",
        "--implicit", "--model", "itemknn", "--recipes", "curriculum,progressive", "--seeds", "1",
        "--json", json.toString());
    assertThat(skipped.exitCode()).as(skipped.stderr()).isZero();
    assertThat(skipped.stdout()).contains("skipped recipe curriculum for itemknn");
    assertThat(Json.MAPPER.readTree(json.toFile()).path("skipped")).hasSize(2);
    CliHarness.Result unknown = CliHarness.runOnce("recipes", "--data", data.toString(), "--format", "csv",
        "--implicit", "--model", "bpr", "--recipes", "dropout");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.stderr()).contains("--recipes: unknown recipe 'dropout'").doesNotContain("Exception");
    CliHarness.Result badCurriculum = CliHarness.runOnce("recipes", "--data", data.toString(), "--format", "csv",
        "--implicit", "--model", "bpr", "--recipes", "curriculum", "--curriculum", "hardness:root");
    assertThat(badCurriculum.exitCode()).isEqualTo(2);
    assertThat(badCurriculum.stderr()).contains("--curriculum: unknown curriculum scorer 'hardness'");
  }

  @Test
  void theVerdictFollowsTheStandardErrorOfTheDifference() {
    // means 0.12 vs 0.10, sds 0.001 → se = sqrt(2 · 1e-6 / 3) ≈ 0.00082: a gain far beyond 2 se
    assertThat(Recipes.compare(new double[] {0.119, 0.120, 0.121}, new double[] {0.099, 0.100, 0.101}).verdict())
        .isEqualTo(Recipes.Verdict.HELPS);
    assertThat(Recipes.compare(new double[] {0.099, 0.100, 0.101}, new double[] {0.119, 0.120, 0.121}).verdict())
        .isEqualTo(Recipes.Verdict.HURTS);
    // difference 0.002, sds 0.002 → se ≈ 0.00163, 2 se ≈ 0.00327 > 0.002: within noise
    Recipes.Comparison small = Recipes.compare(new double[] {0.100, 0.102, 0.104}, new double[] {0.098, 0.100, 0.102});
    assertThat(small.verdict()).isEqualTo(Recipes.Verdict.NO_EFFECT);
    assertThat(small.difference()).isCloseTo(0.002, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(small.standardError()).isCloseTo(Math.sqrt(2 * 4e-6 / 3), org.assertj.core.api.Assertions.within(1e-12));
    // just beyond: difference 0.004 > 2 · 0.00163
    assertThat(Recipes.compare(new double[] {0.102, 0.104, 0.106}, new double[] {0.098, 0.100, 0.102}).verdict())
        .isEqualTo(Recipes.Verdict.HELPS);
    // identical runs: no effect; one seed: no estimate
    assertThat(Recipes.compare(new double[] {0.1, 0.1}, new double[] {0.1, 0.1}).verdict())
        .isEqualTo(Recipes.Verdict.NO_EFFECT);
    assertThat(Recipes.compare(new double[] {0.2}, new double[] {0.1}).verdict()).isEqualTo(Recipes.Verdict.UNKNOWN);
  }
}
