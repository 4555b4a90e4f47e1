package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --pretrained} on train, evaluate and simulate, end to end, with its errors. */
class PretrainedCliTest {

  @TempDir Path dir;
  private CliHarness cli;

  @BeforeEach
  void start() {
    cli = new CliHarness();
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  /** A movies.csv for items {@code offset}…{@code offset + 199}, titled by the generated item they stand for. */
  private Path movies(String name, int offset) throws IOException {
    StringBuilder sb = new StringBuilder("movieId,title,genres\n");
    for (int i = 0; i < 200; i++) {
      sb.append(offset + i).append(",Film ").append(i).append(" (").append(1950 + i % 60).append("),")
          .append(i % 2 == 0 ? "Drama" : "Comedy").append('\n');
    }
    Files.createDirectories(dir.resolve(name).getParent());
    return Files.writeString(dir.resolve(name), sb);
  }

  private Path source() throws IOException {
    Path ratings = CliHarness.ratingsCsv(dir, 6_000);
    Path model = dir.resolve("src.pmdl");
    assertThat(cli.run("train", "--data", ratings.toString(), "--implicit", "--model", "ials", "--items",
        movies("movies.csv", 0).toString(), "--config", config().toString(), "--out", model.toString()))
        .as(cli.stderr()).isZero();
    return model;
  }

  private Path config() throws IOException {
    return Files.writeString(dir.resolve("small.json"), "{\"factors\": 16, \"iterations\": 5}");
  }

  @Test
  void evaluateRecordsHowItemsWereMatchedAndTrainPrintsIt() throws IOException {
    Path model = source();
    Path target = CliHarness.ratingsCsv(dir.resolve("target.csv"), 3_000, v -> v);
    Path json = dir.resolve("transfer.json");
    assertThat(cli.run("evaluate", "--data", target.toString(), "--implicit", "--model", "ials", "--protocol",
        "user-temporal", "--train-sample", "0.2", "--pretrained", model.toString(), "--json", json.toString()))
        .as(cli.stderr()).isZero();
    JsonNode transfer = Json.MAPPER.readTree(json.toFile()).path("transfer");
    int items = Json.MAPPER.readTree(json.toFile()).path("data").path("items").asInt();
    assertThat(transfer.path("matched_by_id").asInt()).isPositive();
    assertThat(transfer.path("matched_by_id").asInt() + transfer.path("fresh").asInt()).isEqualTo(items);
    assertThat(transfer.path("source_items").asInt()).isPositive();
    assertThat(transfer.path("fine_tune").asText()).isEqualTo("prior");
    assertThat(Json.MAPPER.readTree(json.toFile()).path("model").asText()).isEqualTo("ials/pretrained");

    assertThat(cli.run("train", "--data", target.toString(), "--implicit", "--model", "ials", "--pretrained",
        model.toString(), "--fine-tune", "freeze-items", "--out", dir.resolve("tuned.pmdl").toString()))
        .as(cli.stderr()).isZero();
    assertThat(cli.stdout()).containsPattern("transfer: \\d+ items matched by id, 0 by text, 0 mapped from content, "
        + "\\d+ fresh \\(source has \\d+ items\\); fine-tune freeze-items");
  }

  @Test
  void titlesMatchAcrossCatalogueIds() throws IOException {
    Path model = source();
    // the same films under other ids (1000 + i), as another catalogue would number them
    StringBuilder sb = new StringBuilder("userId,movieId,rating,timestamp\n");
    List<String> lines = Files.readAllLines(CliHarness.ratingsCsv(dir.resolve("plain.csv"), 3_000, v -> v));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      sb.append(f[0]).append(',').append(1000 + Integer.parseInt(f[1])).append(',').append(f[2]).append(',').append(f[3])
          .append('\n');
    }
    Path target = Files.writeString(dir.resolve("renumbered.csv"), sb);
    Path json = dir.resolve("titles.json");
    assertThat(cli.run("evaluate", "--data", target.toString(), "--implicit", "--model", "ials", "--protocol",
        "user-temporal", "--items", movies("other/movies.csv", 1000).toString(), "--pretrained", model.toString(),
        "--item-key", "title", "--match-threshold", "2", "--json", json.toString())).as(cli.stderr()).isZero();
    JsonNode transfer = Json.MAPPER.readTree(json.toFile()).path("transfer");
    assertThat(transfer.path("item_key").asText()).isEqualTo("title");
    int items = Json.MAPPER.readTree(json.toFile()).path("data").path("items").asInt();
    // the films both catalogues list match by title; the generator's few items past 199 have no metadata: fresh
    assertThat(transfer.path("matched_by_title").asInt()).isGreaterThan(items * 9 / 10);
    assertThat(transfer.path("matched_by_title").asInt() + transfer.path("mapped").asInt()
        + transfer.path("fresh").asInt()).as(transfer.toString()).isEqualTo(items);
    assertThat(transfer.path("fresh").asInt()).isLessThan(5);
    // by id nothing matches: every item is mapped from its content instead
    assertThat(cli.run("evaluate", "--data", target.toString(), "--implicit", "--model", "ials", "--protocol",
        "user-temporal", "--items", dir.resolve("other/movies.csv").toString(), "--pretrained", model.toString(),
        "--match-threshold", "2", "--json", json.toString())).as(cli.stderr()).isZero();
    transfer = Json.MAPPER.readTree(json.toFile()).path("transfer");
    assertThat(transfer.path("matched_by_id").asInt()).isZero();
    assertThat(transfer.path("mapped").asInt()).isZero(); // nothing matched, so there is nothing to fit the map on
  }

  @Test
  void aBadPretrainedFileOrOptionIsAClearError() throws IOException {
    Path ratings = CliHarness.ratingsCsv(dir, 2_000);
    Path junk = Files.writeString(dir.resolve("junk.pmdl"), "not a model at all, just some text");
    CliHarness.Result r = CliHarness.runOnce("evaluate", "--data", ratings.toString(), "--implicit", "--model", "ials",
        "--protocol", "user-temporal", "--pretrained", junk.toString());
    assertThat(r.exitCode()).isEqualTo(Main.USER_ERROR);
    assertThat(r.stderr()).contains("--pretrained: ").contains("not a Perennial model file").doesNotContain("\tat ");
    r = CliHarness.runOnce("train", "--data", ratings.toString(), "--implicit", "--model", "ials",
        "--pretrained", dir.resolve("missing.pmdl").toString(), "--out", dir.resolve("x.pmdl").toString());
    assertThat(r.exitCode()).isEqualTo(Main.USER_ERROR);
    assertThat(r.stderr()).contains("--pretrained: ").contains("missing.pmdl: no such model file");
    Path model = source();
    r = CliHarness.runOnce("evaluate", "--data", ratings.toString(), "--implicit", "--model", "ials",
        "--protocol", "user-temporal", "--pretrained", model.toString(), "--fine-tune", "lr-ratio:0.5");
    assertThat(r.stderr()).contains("does not support fine-tune lr-ratio:0.5").contains("use prior");
    r = CliHarness.runOnce("evaluate", "--data", ratings.toString(), "--implicit", "--model", "ials",
        "--protocol", "user-temporal", "--pretrained", model.toString(), "--fine-tune", "melt");
    assertThat(r.stderr()).contains("--fine-tune: unknown fine-tune mode 'melt'");
    r = CliHarness.runOnce("evaluate", "--data", ratings.toString(), "--implicit", "--model", "itemknn",
        "--protocol", "user-temporal", "--pretrained", model.toString());
    assertThat(r.stderr()).contains("a itemknn model has no factor tables to start from");
    Files.delete(ItemOptions.besideModel(model));
    r = CliHarness.runOnce("evaluate", "--data", ratings.toString(), "--implicit", "--model", "ials",
        "--protocol", "user-temporal", "--pretrained", model.toString(), "--item-key", "title");
    assertThat(r.exitCode()).isEqualTo(Main.USER_ERROR);
    assertThat(r.stderr()).contains("--item-key title needs both catalogues' titles");
  }

  @Test
  void sasrecAndNeumfStartFromAFactorModelOrTheirOwnType() throws IOException {
    Path ials = source();
    Path target = CliHarness.ratingsCsv(dir.resolve("target.csv"), 3_000, v -> v);
    Path small = Files.writeString(dir.resolve("sas.json"),
        "{\"blocks\": 1, \"heads\": 1, \"maxLength\": 20, \"epochs\": 2, \"threads\": 1}");
    Path json = dir.resolve("sas.json.out");
    // from iALS: the SASRec width is taken from the source's 16 factors, the item table seeded by id
    assertThat(cli.run("evaluate", "--data", target.toString(), "--implicit", "--model", "sasrec", "--protocol", "loo",
        "--candidates", "sampled:100", "--config", small.toString(), "--pretrained", ials.toString(),
        "--match-threshold", "2", "--fine-tune", "freeze:items,block0", "--json", json.toString()))
        .as(cli.stderr()).isZero();
    JsonNode result = Json.MAPPER.readTree(json.toFile());
    assertThat(result.path("model").asText()).isEqualTo("sasrec/pretrained");
    assertThat(result.path("transfer").path("matched_by_id").asInt()).isPositive();
    assertThat(result.path("transfer").path("fine_tune").asText()).isEqualTo("freeze:items,block0");
    // a SASRec source: its layers are copied, its shapes adopted
    Path sasrec = dir.resolve("sas.pmdl");
    assertThat(cli.run("train", "--data", target.toString(), "--implicit", "--model", "sasrec", "--config",
        small.toString(), "--out", sasrec.toString())).as(cli.stderr()).isZero();
    assertThat(cli.run("train", "--data", target.toString(), "--implicit", "--model", "sasrec", "--pretrained",
        sasrec.toString(), "--fine-tune", "lr-ratio:0.5", "--config", Files.writeString(dir.resolve("e1.json"),
            "{\"epochs\": 1, \"threads\": 1}").toString(), "--out", dir.resolve("tuned.pmdl").toString()))
        .as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("fine-tune lr-ratio:0.5");
    // NeuMF from iALS: the GMF tower as wide as the source
    assertThat(cli.run("train", "--data", target.toString(), "--implicit", "--model", "neumf", "--pretrained",
        ials.toString(), "--match-threshold", "2", "--fine-tune", "freeze-items", "--config",
        Files.writeString(dir.resolve("nmf.json"), "{\"epochs\": 1}").toString(), "--out",
        dir.resolve("nmf.pmdl").toString())).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("fine-tune freeze-items");

    CliHarness.Result r = CliHarness.runOnce("evaluate", "--data", target.toString(), "--implicit", "--model", "sasrec",
        "--protocol", "loo", "--config", Files.writeString(dir.resolve("wide.json"), "{\"factors\": 32}").toString(),
        "--pretrained", ials.toString(), "--match-threshold", "2");
    assertThat(r.exitCode()).isEqualTo(Main.USER_ERROR);
    assertThat(r.stderr()).contains("has 16 factors but --config sets the sasrec factors to 32").doesNotContain("\tat ");
    r = CliHarness.runOnce("evaluate", "--data", target.toString(), "--implicit", "--model", "sasrec", "--protocol", "loo",
        "--config", Files.writeString(dir.resolve("deep.json"), "{\"blocks\": 2}").toString(), "--pretrained",
        sasrec.toString());
    assertThat(r.exitCode()).isEqualTo(Main.USER_ERROR);
    assertThat(r.stderr()).contains("--pretrained: layer block1.").contains("the pretrained one has no such layer")
        .doesNotContain("\tat ");
    r = CliHarness.runOnce("evaluate", "--data", target.toString(), "--implicit", "--model", "sasrec", "--protocol", "loo",
        "--pretrained", sasrec.toString(), "--fine-tune", "freeze:items,decoder");
    assertThat(r.exitCode()).isEqualTo(Main.USER_ERROR);
    assertThat(r.stderr()).contains("unknown sasrec layer 'decoder'").contains("attention, ffn").doesNotContain("\tat ");
  }

  @Test
  void simulateStartsASasrecStreamFromAFactorModel() throws IOException {
    Path model = source();
    Path target = CliHarness.ratingsCsv(dir.resolve("target.csv"), 3_000, v -> v);
    Path small = Files.writeString(dir.resolve("sas.json"),
        "{\"blocks\": 1, \"heads\": 1, \"maxLength\": 20, \"epochs\": 1, \"threads\": 1}");
    Path out = dir.resolve("sim");
    assertThat(cli.run("simulate", "--data", target.toString(), "--model", "sasrec", "--config", small.toString(),
        "--strategies", "static", "--slices", "2", "--pretrained", model.toString(), "--match-threshold", "2",
        "--fine-tune", "progressive:1", "--report", out.toString())).as(cli.stderr()).isZero();
    JsonNode root = Json.MAPPER.readTree(out.resolve("report.json").toFile());
    assertThat(root.path("transfer").path("matched_by_id").asInt()).isPositive();
    assertThat(root.path("transfer").path("fine_tune").asText()).isEqualTo("progressive:1");
    assertThat(root.path("model_config").path("factors").asInt()).as("the source's width").isEqualTo(16);
  }

  @Test
  void aLearningCurveRunsEachPointWithAndWithoutTheWarmStartAndDrawsIt() throws IOException {
    Path model = source();
    Path target = CliHarness.ratingsCsv(dir.resolve("target.csv"), 3_000, v -> v);
    Path json = dir.resolve("curve.json");
    Path report = dir.resolve("curve.html");
    assertThat(cli.run("evaluate", "--data", target.toString(), "--implicit", "--model", "ials", "--protocol",
        "user-temporal", "--train-sample", "0.1,0.5,1", "--pretrained", model.toString(), "--json", json.toString(),
        "--report", report.toString())).as(cli.stderr()).isZero();
    JsonNode results = Json.MAPPER.readTree(json.toFile()).path("results");
    assertThat(results).hasSize(6);
    assertThat(results.get(0).path("model").asText()).isEqualTo("ials/pretrained@0.1");
    assertThat(results.get(1).path("model").asText()).isEqualTo("ials@0.1");
    assertThat(results.get(1).has("transfer")).isFalse();
    assertThat(results.get(4).path("protocol").path("train_sample").asDouble()).isEqualTo(1.0);
    String html = Files.readString(report);
    assertThat(html).contains("<h2>Learning curve</h2><svg").contains("ials/pretrained").contains("10 %").contains("100 %");
    assertThat(html.split("<polyline", -1)).hasSize(3);
  }

  @Test
  void simulateStartsTheStreamFromThePretrainedModel() throws IOException {
    Path model = source();
    Path target = CliHarness.ratingsCsv(dir.resolve("target.csv"), 3_000, v -> v);
    Path out = dir.resolve("sim");
    assertThat(cli.run("simulate", "--data", target.toString(), "--model", "ials", "--strategies", "static,full",
        "--slices", "3", "--pretrained", model.toString(), "--fine-tune", "freeze-items", "--report", out.toString()))
        .as(cli.stderr()).isZero();
    JsonNode root = Json.MAPPER.readTree(out.resolve("report.json").toFile());
    assertThat(root.path("transfer").path("matched_by_id").asInt()).isPositive();
    assertThat(root.path("transfer").path("fine_tune").asText()).isEqualTo("freeze-items");
    assertThat(root.path("model_config").path("factors").asInt()).isEqualTo(16);
    assertThat(root.path("strategies").path("static").path("hr@10").isNumber()
        || root.path("strategies").path("static").size() > 0).isTrue();
  }
}
