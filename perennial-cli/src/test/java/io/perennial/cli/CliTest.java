package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the real command line in-process and checks exit codes, output and written files. */
class CliTest {

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
    cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
    return cli.execute(args);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** A small MovieLens-style ratings file from the synthetic generator. */
  private Path ratingsCsv() throws IOException {
    Path file = dir.resolve("ratings.csv");
    StringBuilder sb = new StringBuilder("userId,movieId,rating,timestamp\n");
    new SyntheticGenerator(SyntheticConfig.defaults().withEvents(8_000).withRatings(true).withSize(300, 200))
        .forEachRemaining(e -> sb.append(e.user()).append(',').append(e.item()).append(',')
            .append(e.value()).append(',').append(e.timestamp()).append('\n'));
    Files.writeString(file, sb);
    return file;
  }

  @Test
  void quickstartWritesATableJsonAndReport() throws IOException {
    Path outDir = dir.resolve("qs");
    assertThat(run("quickstart", "--events", "20000", "--out", outDir.toString())).isZero();
    assertThat(stdout()).contains("ndcg@10").contains("itemknn").contains("ials").contains("bpr").contains("mf")
        .contains("neumf");
    JsonNode results = Json.MAPPER.readTree(outDir.resolve("results.json").toFile());
    assertThat(results.path("results")).hasSize(6);
    for (JsonNode r : results.path("results")) {
      assertThat(r.path("metrics").path("ndcg@10").isNumber()).isTrue();
    }
    assertThat(results.path("results").get(2).path("metrics").path("rmse").isNumber()).isTrue();
    String html = Files.readString(outDir.resolve("report.html"));
    assertThat(html).contains("<table>").contains("data:image/png;base64,");
  }

  @Test
  void trainRecommendAndExportRoundTrip() throws IOException {
    Path data = ratingsCsv();
    Path model = dir.resolve("model.pmdl");
    assertThat(run("train", "--data", data.toString(), "--format", "movielens", "--implicit", "--model", "bpr",
        "--out", model.toString())).isZero();
    assertThat(Files.size(model)).isPositive();
    out.reset();
    assertThat(run("recommend", "--model", model.toString(), "--user", "3", "--k", "5", "--json")).isZero();
    JsonNode recs = Json.MAPPER.readTree(stdout());
    assertThat(recs.path("items")).hasSize(5);
    assertThat(recs.path("fallback").asBoolean()).isFalse();
    out.reset();
    assertThat(run("recommend", "--model", model.toString(), "--user", "nobody", "--k", "3")).isZero();
    assertThat(stdout()).contains("unknown user 'nobody': popularity fallback");
    out.reset();
    assertThat(run("recommend", "--model", model.toString(), "--similar-to", "7", "--k", "4")).isZero();
    assertThat(stdout().lines().count()).isEqualTo(5);
    Path export = dir.resolve("export");
    assertThat(run("export", "--model", model.toString(), "--format", "npy", "--out", export.toString())).isZero();
    assertThat(export.resolve("item_factors.npy")).exists();
    assertThat(Files.readAllLines(export.resolve("user_ids.txt"))).hasSizeGreaterThan(100);
    assertThat(run("export", "--model", model.toString(), "--format", "csv", "--out", export.toString())).isZero();
    assertThat(Files.readAllLines(export.resolve("item_factors.csv")).get(0)).startsWith("id,f0,f1");
  }

  @Test
  void evaluateWritesMetricsJson() throws IOException {
    Path data = ratingsCsv();
    Path json = dir.resolve("out.json");
    Path report = dir.resolve("report.html");
    assertThat(run("evaluate", "--data", data.toString(), "--format", "movielens", "--model", "mf",
        "--protocol", "kfold", "--folds", "3", "--json", json.toString(), "--report", report.toString())).isZero();
    JsonNode result = Json.MAPPER.readTree(json.toFile());
    assertThat(result.path("metrics").path("rmse").asDouble()).isBetween(0.1, 2.0);
    assertThat(result.path("splits")).hasSize(3);
    assertThat(result.path("protocol").path("name").asText()).isEqualTo("kfold");
    assertThat(result.path("config").path("factors").asInt()).isEqualTo(128);
    assertThat(report).exists();
    assertThat(run("evaluate", "--data", data.toString(), "--implicit", "--model", "ials,pop",
        "--protocol", "user-temporal", "--train-fraction", "0.8", "--k", "10", "--json", json.toString())).isZero();
    JsonNode both = Json.MAPPER.readTree(json.toFile());
    assertThat(both.path("results")).hasSize(2);
    assertThat(both.path("results").get(0).path("metrics").path("hr@10").isNumber()).isTrue();
  }

  @Test
  void evaluateTrainSampleShrinksTrainingOnlyAndRejectsBadFractions() throws IOException {
    Path data = ratingsCsv();
    Path full = dir.resolve("full.json");
    Path tenth = dir.resolve("tenth.json");
    assertThat(run("evaluate", "--data", data.toString(), "--implicit", "--model", "pop",
        "--protocol", "user-temporal", "--json", full.toString())).isZero();
    assertThat(run("evaluate", "--data", data.toString(), "--implicit", "--model", "pop",
        "--protocol", "user-temporal", "--train-sample", "0.1", "--json", tenth.toString())).isZero();
    JsonNode sampled = Json.MAPPER.readTree(tenth.toFile());
    assertThat(sampled.path("protocol").path("train_sample").asDouble()).isEqualTo(0.1);
    assertThat(Json.MAPPER.readTree(full.toFile()).path("protocol").has("train_sample")).isFalse();
    assertThat(run("evaluate", "--data", data.toString(), "--implicit", "--model", "pop",
        "--train-sample", "0")).isNotZero();
    assertThat(stderr()).contains("--train-sample must be in (0, 1], got 0.0");
  }

  @Test
  void evaluateReadsGivenFoldFiles() throws IOException {
    Path folds = Files.createDirectory(dir.resolve("ml-100k"));
    java.util.List<io.perennial.data.Interaction> events = new java.util.ArrayList<>();
    new SyntheticGenerator(SyntheticConfig.defaults().withEvents(4_000).withRatings(true).withSize(100, 80))
        .forEachRemaining(events::add);
    for (int fold = 1; fold <= 2; fold++) {
      StringBuilder base = new StringBuilder();
      StringBuilder test = new StringBuilder();
      for (int e = 0; e < events.size(); e++) {
        var ev = events.get(e);
        String line = ev.user() + "\t" + ev.item() + "\t" + (int) Math.ceil(ev.value()) + "\t" + ev.timestamp() + "\n";
        (e % 5 == fold ? test : base).append(line);
      }
      Files.writeString(folds.resolve("u" + fold + ".base"), base);
      Files.writeString(folds.resolve("u" + fold + ".test"), test);
    }
    Path json = dir.resolve("folds.json");
    assertThat(run("evaluate", "--data", folds.toString(), "--model", "mf", "--protocol", "folds", "--folds", "2",
        "--json", json.toString())).isZero();
    JsonNode result = Json.MAPPER.readTree(json.toFile());
    assertThat(result.path("splits")).hasSize(2);
    assertThat(result.path("splits").get(1).path("name").asText()).isEqualTo("u2");
    assertThat(result.path("splits").get(0).path("test_interactions").asInt()).isBetween(1, 800);
    assertThat(result.path("metrics").path("rmse").isNumber()).isTrue();
    assertThat(run("evaluate", "--data", folds.toString(), "--model", "mf", "--protocol", "folds", "--folds", "3"))
        .isEqualTo(Main.USER_ERROR);
    assertThat(stderr()).contains("u3.base");
  }

  @Test
  void generateWritesAStreamThatTrainsWithEarlyStopping() throws IOException {
    Path csv = dir.resolve("synthetic.csv");
    assertThat(run("datasets", "generate", "--events", "20000", "--out", csv.toString(), "--seed", "3")).isZero();
    assertThat(Files.readAllLines(csv)).hasSize(20_001).first().isEqualTo("user,item,value,timestamp,type");
    Path jsonl = dir.resolve("synthetic.jsonl");
    assertThat(run("datasets", "generate", "--events", "100", "--out", jsonl.toString())).isZero();
    assertThat(Files.readAllLines(jsonl).get(0)).startsWith("{\"user\":");
    out.reset();
    assertThat(run("train", "--data", csv.toString(), "--format", "csv", "--duplicates", "sum", "--model", "bpr",
        "--early-stopping", "ndcg@10", "--patience", "2", "--out", dir.resolve("m.pmdl").toString())).isZero();
    assertThat(stdout()).contains("early stopping on ndcg@10");
    assertThat(run("train", "--data", csv.toString(), "--format", "csv", "--model", "bpr",
        "--early-stopping", "ndcg@5", "--out", dir.resolve("m.pmdl").toString())).isEqualTo(Main.USER_ERROR);
  }

  @Test
  void simulateWritesAReportWithEveryStrategy() throws IOException {
    Path outDir = dir.resolve("sim");
    assertThat(run("simulate", "--synthetic", "--events", "12000", "--model", "bpr", "--slices", "5",
        "--strategies", "static,full,incremental,online,hybrid,gated", "--report", outDir.toString())).isZero();
    JsonNode report = Json.MAPPER.readTree(outDir.resolve("report.json").toFile());
    JsonNode strategies = report.path("strategies");
    assertThat(strategies.size()).isEqualTo(6);
    for (String s : new String[] {"static", "full", "incremental", "online", "hybrid", "gated"}) {
      JsonNode node = strategies.path(s);
      assertThat(node.path("hr@10").isNumber()).as(s).isTrue();
      assertThat(node.path("ndcg@10").isNumber()).as(s).isTrue();
      assertThat(node.path("update_cpu_s").isNumber()).as(s).isTrue();
      assertThat(node.path("update_wall_s").isNumber()).as(s).isTrue();
      assertThat(node.path("updates_accepted").isNumber()).as(s).isTrue();
      assertThat(node.path("updates_rejected").isNumber()).as(s).isTrue();
      assertThat(node.has("forgetting_drop")).as(s).isTrue();
      assertThat(node.path("slices").path("hr@10")).as(s).hasSize(5);
    }
    assertThat(strategies.path("online").path("hr@10").asDouble())
        .isGreaterThan(strategies.path("static").path("hr@10").asDouble());
    assertThat(Files.readString(outDir.resolve("report.html"))).contains("Accuracy against update cost")
        .contains("data:image/png;base64,");
    assertThat(run("simulate", "--synthetic", "--strategies", "telepathy")).isEqualTo(Main.USER_ERROR);
    assertThat(stderr()).contains("unknown strategy 'telepathy'");
  }

  @Test
  void datasetsInfoDescribesAFile() throws IOException {
    Path data = ratingsCsv();
    assertThat(run("datasets", "info", data.toString())).isZero();
    assertThat(stdout()).contains("interactions  8,000").contains("item Gini").contains("time span");
  }

  @Test
  void userMistakesExitNonZeroWithOneLine() throws IOException {
    assertThat(run("train", "--data", dir.resolve("missing.csv").toString(), "--model", "bpr", "--out", "x.pmdl"))
        .isEqualTo(Main.USER_ERROR);
    assertThat(stderr().strip()).contains("missing.csv: no such file").doesNotContain("\n").doesNotContain("Exception");
    err.reset();
    Path bad = dir.resolve("ratings.csv");
    Files.writeString(bad, "userId,movieId,rating,timestamp\n1,2,3,4\n1,2,oops,5\n");
    assertThat(run("evaluate", "--data", bad.toString(), "--model", "pop")).isEqualTo(Main.USER_ERROR);
    assertThat(stderr().strip()).isEqualTo("perennial: error: " + bad + ":3: field 'value': not a number: 'oops'");
    err.reset();
    assertThat(run("evaluate", "--data", bad.toString(), "--model", "deepfm")).isEqualTo(Main.USER_ERROR);
    assertThat(stderr()).contains("unknown model 'deepfm'");
    err.reset();
    assertThat(run("train", "--data", "a.csv", "--model", "bpr", "--out", "b", "--bogus")).isEqualTo(Main.USER_ERROR);
    assertThat(stderr()).contains("Unknown option: '--bogus'");
    err.reset();
    Path corrupt = dir.resolve("corrupt.pmdl");
    Files.writeString(corrupt, "PRNLMODL but not really");
    assertThat(run("recommend", "--model", corrupt.toString(), "--user", "1")).isEqualTo(Main.USER_ERROR);
    assertThat(stderr().strip()).startsWith("perennial: error: " + corrupt).doesNotContain("\n");
    err.reset();
    Path config = dir.resolve("cfg.json");
    Files.writeString(config, "{\"factorz\": 3}");
    Files.writeString(bad, "userId,movieId,rating,timestamp\n1,2,3,4\n2,2,3,5\n");
    assertThat(run("train", "--data", bad.toString(), "--model", "bpr", "--out", dir.resolve("m.pmdl").toString(),
        "--config", config.toString())).isEqualTo(Main.USER_ERROR);
    assertThat(stderr()).contains("unknown config field 'factorz'");
  }
}
