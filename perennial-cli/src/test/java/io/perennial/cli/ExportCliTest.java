package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.data.IdIndex;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.store.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export} writes everything a score is made of: rebuilt from the files, it is the model's. */
class ExportCliTest {

  @TempDir Path dir;

  /** The float32 table of a .npy file, row-major. */
  private static float[] npy(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    int dataStart = 10 + bytes.getShort(8);
    float[] values = new float[(bytes.capacity() - dataStart) / 4];
    for (int v = 0; v < values.length; v++) {
      values[v] = bytes.getFloat(dataStart + 4 * v);
    }
    return values;
  }

  /** Rows of an exported CSV by external id. */
  private static Map<String, float[]> csv(Path file) throws IOException {
    Map<String, float[]> rows = new HashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (String line : lines.subList(1, lines.size())) {
      String[] fields = line.split(",");
      float[] values = new float[fields.length - 1];
      for (int c = 1; c < fields.length; c++) {
        values[c - 1] = Float.parseFloat(fields[c]);
      }
      rows.put(fields[0], values);
    }
    return rows;
  }

  private static double clip(double score, JsonNode range) {
    return range.isArray() ? Math.min(range.get(1).asDouble(), Math.max(range.get(0).asDouble(), score)) : score;
  }

  private Path train(String model, String... extra) throws IOException {
    Path data = CliHarness.ratingsCsv(dir.resolve("ratings.csv"), 8_000, v -> v);
    Path file = dir.resolve(model + ".pmdl");
    List<String> args = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--format", "movielens",
        "--model", model, "--out", file.toString()));
    args.addAll(List.of(extra));
    CliHarness.Result run = CliHarness.runOnce(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    return file;
  }

  @Test
  void npyFilesRebuildEveryMfScore() throws IOException {
    Path file = train("mf");
    Path out = dir.resolve("npy");
    assertThat(CliHarness.runOnce("export", "--model", file.toString(), "--format", "npy", "--out", out.toString()).exitCode()).isZero();

    JsonNode description = Json.MAPPER.readTree(out.resolve("model.json").toFile());
    double global = description.path("global_bias").asDouble();
    assertThat(global).as("the mean rating, not 0").isGreaterThan(1.0);
    int k = description.path("factors").asInt();
    float[] p = npy(out.resolve(description.path("files").path("user_factors").asText()));
    float[] q = npy(out.resolve(description.path("files").path("item_factors").asText()));
    float[] bu = npy(out.resolve(description.path("files").path("user_bias").asText()));
    float[] bi = npy(out.resolve(description.path("files").path("item_bias").asText()));
    JsonNode range = description.path("score_range");
    assertThat(range.isArray()).isTrue();

    Checkpoint checkpoint = Checkpoint.read(file);
    Recommender model = Algorithms.restore(checkpoint.state());
    assertThat(Files.readAllLines(out.resolve("item_ids.txt"))).isEqualTo(checkpoint.items().ids());
    for (int u = 0; u < model.userCount(); u++) {
      for (int i = 0; i < model.itemCount(); i++) {
        double dot = 0;
        for (int d = 0; d < k; d++) {
          dot += p[u * k + d] * q[i * k + d];
        }
        double rebuilt = clip(global + bu[u] + bi[i] + dot, range);
        assertThat(rebuilt).as("user %d item %d", u, i).isCloseTo(model.score(u, i), within(1e-4));
      }
    }
  }

  @Test
  void csvFilesRebuildBprScoresByExternalId() throws IOException {
    Path file = train("bpr", "--implicit");
    Path out = dir.resolve("csv");
    assertThat(CliHarness.runOnce("export", "--model", file.toString(), "--format", "csv", "--out", out.toString()).exitCode()).isZero();

    JsonNode description = Json.MAPPER.readTree(out.resolve("model.json").toFile());
    JsonNode files = description.path("files");
    Map<String, float[]> users = csv(out.resolve(files.path("user_factors").asText()));
    Map<String, float[]> items = csv(out.resolve(files.path("item_factors").asText()));
    Map<String, float[]> itemBias = files.path("item_bias").isNull() ? Map.of() : csv(out.resolve(files.path("item_bias").asText()));
    Map<String, float[]> userBias = files.path("user_bias").isNull() ? Map.of() : csv(out.resolve(files.path("user_bias").asText()));

    Checkpoint checkpoint = Checkpoint.read(file);
    Recommender model = Algorithms.restore(checkpoint.state());
    IdIndex userIds = checkpoint.users();
    IdIndex itemIds = checkpoint.items();
    for (int u = 0; u < model.userCount(); u += 7) {
      for (int i = 0; i < model.itemCount(); i++) {
        String user = userIds.idOf(u);
        String item = itemIds.idOf(i);
        double score = description.path("global_bias").asDouble()
            + (userBias.isEmpty() ? 0 : userBias.get(user)[0]) + (itemBias.isEmpty() ? 0 : itemBias.get(item)[0]);
        for (int d = 0; d < users.get(user).length; d++) {
          score += users.get(user)[d] * items.get(item)[d];
        }
        assertThat(score).as("user %s item %s", user, item).isCloseTo(model.score(u, i), within(1e-4));
      }
    }
  }
}
