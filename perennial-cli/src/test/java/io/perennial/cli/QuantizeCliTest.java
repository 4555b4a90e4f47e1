package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.quantized.QuantizedModel;
import io.perennial.store.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --quantize int8} on train, export and evaluate. */
class QuantizeCliTest {

  @TempDir Path dir;

  private CliHarness.Result run(String... args) {
    CliHarness.Result r = CliHarness.runOnce(args);
    assertThat(r.exitCode()).as(r.stderr() + r.stdout()).isZero();
    return r;
  }

  private Path data() throws IOException {
    return CliHarness.ratingsCsv(dir.resolve("ratings.csv"), 8_000, v -> v);
  }

  @Test
  void trainWritesAnInt8CheckpointAndStatesTheRatio() throws IOException {
    Path ratings = data();
    Path small = dir.resolve("int8.pmdl");
    Path full = dir.resolve("fp32.pmdl");
    CliHarness.Result r = run("train", "--data", ratings.toString(), "--format", "movielens", "--implicit",
        "--model", "ials", "--config", config("{\"factors\": 64}").toString(), "--out", small.toString(),
        "--quantize", "int8");
    assertThat(r.stdout()).containsPattern("int8: checkpoint .* instead of .* \\(\\d+\\.\\d % of fp32");
    run("train", "--data", ratings.toString(), "--format", "movielens", "--implicit", "--model", "ials",
        "--config", config("{\"factors\": 64}").toString(), "--out", full.toString());
    assertThat((double) Files.size(small) / Files.size(full)).isLessThan(0.32);
    Recommender q = Algorithms.restore(Checkpoint.read(small).state());
    Recommender f = Algorithms.restore(Checkpoint.read(full).state());
    assertThat(q).isInstanceOf(QuantizedModel.class);
    assertThat(q.score(0, 1)).isCloseTo(f.score(0, 1), within(0.02f));
    // recommend reads the compressed file like any other
    CliHarness.Result rec = run("recommend", "--model", small.toString(), "--user", Checkpoint.read(small).users().idOf(0),
        "--k", "5");
    assertThat(rec.stdout()).contains("rank");
  }

  @Test
  void exportWritesInt8CodesThatRebuildTheScores() throws IOException {
    Path full = dir.resolve("bpr.pmdl");
    run("train", "--data", data().toString(), "--format", "movielens", "--implicit", "--model", "bpr",
        "--out", full.toString());
    Path out = dir.resolve("export");
    CliHarness.Result r = run("export", "--model", full.toString(), "--quantize", "int8", "--out", out.toString());
    assertThat(r.stdout()).contains("int8 codes");
    JsonNode description = new ObjectMapper().readTree(out.resolve("model.json").toFile());
    int k = description.path("factors").asInt();
    byte[] userCodes = npyBytes(out.resolve("user_codes.npy"));
    byte[] itemCodes = npyBytes(out.resolve("item_codes.npy"));
    float[] userScales = ExportCliTestAccess.npy(out.resolve("user_scales.npy"));
    float[] itemScales = ExportCliTestAccess.npy(out.resolve("item_scales.npy"));
    float[] itemBias = ExportCliTestAccess.npy(out.resolve("item_bias.npy"));
    Recommender model = Algorithms.restore(Checkpoint.read(full).state());
    QuantizedModel int8 = QuantizedModel.of(model);
    for (int u = 0; u < 5; u++) {
      for (int i = 0; i < 20; i++) {
        double dot = 0;
        for (int d = 0; d < k; d++) {
          dot += userCodes[u * k + d] * (double) itemCodes[i * k + d];
        }
        double rebuilt = description.path("global_bias").asDouble() + itemBias[i] + userScales[u] * itemScales[i] * dot;
        assertThat(rebuilt).isCloseTo(int8.score(u, i), within(1e-4));
      }
    }
    // and a compressed model file from a float one
    Path small = dir.resolve("bpr8.pmdl");
    run("export", "--model", full.toString(), "--format", "pmdl", "--quantize", "int8", "--out", small.toString());
    assertThat(Algorithms.restore(Checkpoint.read(small).state()).score(2, 3)).isEqualTo(int8.score(2, 3));
  }

  @Test
  void evaluateScoresBothFormsSideBySide() throws IOException {
    Path json = dir.resolve("out.json");
    CliHarness.Result r = run("evaluate", "--data", data().toString(), "--format", "movielens", "--implicit",
        "--model", "ials", "--protocol", "user-temporal", "--quantize", "none,int8", "--json", json.toString());
    assertThat(r.stdout()).contains("ials/int8");
    JsonNode results = new ObjectMapper().readTree(json.toFile()).path("results");
    assertThat(results).hasSize(2);
    assertThat(results.get(1).path("quantize").asText()).isEqualTo("int8");
    assertThat(results.get(1).path("factor_table_bytes").asLong()).isPositive();
    double fp32 = results.get(0).path("metrics").path("ndcg@10").asDouble();
    double int8 = results.get(1).path("metrics").path("ndcg@10").asDouble();
    assertThat(int8).isCloseTo(fp32, within(0.05 * fp32 + 1e-3));
  }

  @Test
  void fp16OnTrainEvaluateAndExport() throws IOException {
    Path ratings = data();
    Path full = dir.resolve("ials.pmdl");
    Path half = dir.resolve("ials16.pmdl");
    run("train", "--data", ratings.toString(), "--format", "movielens", "--implicit", "--model", "ials",
        "--out", full.toString());
    CliHarness.Result trained = run("train", "--data", ratings.toString(), "--format", "movielens", "--implicit",
        "--model", "ials", "--out", half.toString(), "--quantize", "fp16");
    assertThat(trained.stdout()).containsPattern("fp16: checkpoint .* instead of .* \\(\\d+\\.\\d % of fp32");
    Recommender f = Algorithms.restore(Checkpoint.read(full).state());
    Recommender h = Algorithms.restore(Checkpoint.read(half).state());
    assertThat(h.type()).isEqualTo("fp16");
    assertThat(Files.size(half)).isLessThan(Files.size(full));
    assertThat(h.score(0, 1)).isCloseTo(f.score(0, 1), within(2e-3f));
    assertThat(run("recommend", "--model", half.toString(), "--user", Checkpoint.read(half).users().idOf(0),
        "--k", "5").stdout()).contains("rank");

    // export: float16 .npy tables whose dot rebuilds the fp16 model's scores
    Path out = dir.resolve("export16");
    assertThat(run("export", "--model", full.toString(), "--quantize", "fp16", "--out", out.toString()).stdout())
        .contains("as float16");
    JsonNode description = new ObjectMapper().readTree(out.resolve("model.json").toFile());
    assertThat(description.path("quantize").asText()).isEqualTo("fp16");
    int k = description.path("factors").asInt();
    float[] users = npyHalves(out.resolve("user_factors.npy"));
    float[] items = npyHalves(out.resolve("item_factors.npy"));
    float[] userBias = Files.exists(out.resolve("user_bias.npy"))
        ? ExportCliTestAccess.npy(out.resolve("user_bias.npy")) : new float[users.length / k];
    float[] itemBias = Files.exists(out.resolve("item_bias.npy"))
        ? ExportCliTestAccess.npy(out.resolve("item_bias.npy")) : new float[items.length / k];
    for (int u = 0; u < 5; u++) {
      for (int i = 0; i < 20; i++) {
        double dot = 0;
        for (int d = 0; d < k; d++) {
          dot += users[u * k + d] * (double) items[i * k + d];
        }
        assertThat(description.path("global_bias").asDouble() + userBias[u] + itemBias[i] + dot)
            .isCloseTo(h.score(u, i), within(1e-4));
      }
    }
    Path again = dir.resolve("again16.pmdl");
    run("export", "--model", full.toString(), "--format", "pmdl", "--quantize", "fp16", "--out", again.toString());
    assertThat(Algorithms.restore(Checkpoint.read(again).state()).score(2, 3)).isEqualTo(h.score(2, 3));

    Path json = dir.resolve("out16.json");
    CliHarness.Result r = run("evaluate", "--data", ratings.toString(), "--format", "movielens", "--implicit",
        "--model", "ials", "--protocol", "user-temporal", "--quantize", "none,fp16", "--json", json.toString());
    assertThat(r.stdout()).contains("ials/fp16");
    JsonNode results = new ObjectMapper().readTree(json.toFile()).path("results");
    assertThat(results.get(1).path("quantize").asText()).isEqualTo("fp16");
    assertThat(results.get(1).path("factor_table_bytes").asLong()).isPositive();
    assertThat(results.get(1).path("metrics").path("ndcg@10").asDouble())
        .isCloseTo(results.get(0).path("metrics").path("ndcg@10").asDouble(), within(0.01));
  }

  /** A {@code '<f2'} .npy file's values. */
  private static float[] npyHalves(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    int dataStart = 10 + bytes.getShort(8);
    assertThat(new String(bytes.array(), 0, dataStart, java.nio.charset.StandardCharsets.US_ASCII)).contains("'<f2'");
    float[] values = new float[(bytes.capacity() - dataStart) / 2];
    for (int v = 0; v < values.length; v++) {
      values[v] = io.perennial.kernel.Half.toFloat(bytes.getShort(dataStart + 2 * v));
    }
    return values;
  }

  @Test
  void int8IsRefusedForModelsWithoutFactorTables() throws IOException {
    CliHarness.Result r = CliHarness.runOnce("train", "--data", data().toString(), "--format", "movielens",
        "--model", "pop", "--out", dir.resolve("p.pmdl").toString(), "--quantize", "int8");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("--quantize int8: pop has no factor tables");
    CliHarness.Result bad = CliHarness.runOnce("train", "--data", data().toString(), "--format", "movielens",
        "--model", "ials", "--out", dir.resolve("p.pmdl").toString(), "--quantize", "int4");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.stderr()).contains("unknown quantisation 'int4'");
  }

  @Test
  void pruneDropsRareIdsAndKeepsTheOthersScores() throws IOException {
    Path full = dir.resolve("ials-full.pmdl");
    run("train", "--data", data().toString(), "--format", "movielens", "--implicit", "--model", "ials",
        "--out", full.toString());
    Path small = dir.resolve("ials-pruned.pmdl");
    CliHarness.Result r = run("prune", "--model", full.toString(), "--out", small.toString(), "--min-item-events", "3",
        "--min-user-events", "2");
    assertThat(r.stdout()).containsPattern("kept [\\d,]+ of [\\d,]+ users and [\\d,]+ of [\\d,]+ items");
    Checkpoint before = Checkpoint.read(full);
    Checkpoint after = Checkpoint.read(small);
    Recommender a = Algorithms.restore(before.state());
    Recommender b = Algorithms.restore(after.state());
    assertThat(b.itemCount()).isLessThan(a.itemCount());
    String user = after.users().idOf(0);
    String item = after.items().idOf(after.items().size() - 1);
    assertThat(b.score(0, after.items().size() - 1))
        .isEqualTo(a.score(before.users().indexOf(user), before.items().indexOf(item)));
    CliHarness.Result bad = CliHarness.runOnce("prune", "--model", full.toString(), "--out", small.toString(),
        "--min-item-events", "100000000");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.stderr()).contains("every item");
  }

  private Path config(String json) throws IOException {
    Path file = dir.resolve("cfg-" + json.hashCode() + ".json");
    Files.writeString(file, json);
    return file;
  }

  private static byte[] npyBytes(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    int dataStart = 10 + ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getShort(8);
    assertThat(new String(all, 0, dataStart, java.nio.charset.StandardCharsets.US_ASCII)).contains("'|i1'");
    return java.util.Arrays.copyOfRange(all, dataStart, all.length);
  }

  /** The float reader of {@link ExportCliTest}. */
  static final class ExportCliTestAccess {
    static float[] npy(Path file) throws IOException {
      ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
      int dataStart = 10 + bytes.getShort(8);
      float[] values = new float[(bytes.capacity() - dataStart) / 4];
      for (int v = 0; v < values.length; v++) {
        values[v] = bytes.getFloat(dataStart + 4 * v);
      }
      return values;
    }
  }
}
