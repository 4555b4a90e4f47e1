package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.data.Interaction;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evaluate --protocol loo --candidates …} end to end on generated sequence files. */
class LeaveOneOutCliTest {

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

  /** A seq-pairs file (SASRec's layout) of generated events, and the same sequences as seq-lines. */
  private Path[] sequenceFiles(int events) throws IOException {
    StringBuilder pairs = new StringBuilder();
    Map<Integer, StringBuilder> lines = new LinkedHashMap<>();
    new SyntheticGenerator(SyntheticConfig.defaults().withEvents(events).withSize(300, 400).withSeed(3))
        .forEachRemaining((Interaction e) -> {
          pairs.append(e.user() + 1).append(' ').append(e.item() + 1).append('\n');
          lines.computeIfAbsent(e.user() + 1, u -> new StringBuilder(String.valueOf(u))).append('\t').append(e.item() + 1);
        });
    Path seqPairs = dir.resolve("seq-pairs.txt");
    Files.writeString(seqPairs, pairs);
    Path seqLines = dir.resolve("seq-lines.txt");
    Files.writeString(seqLines, String.join("\n", lines.values()) + "\n");
    return new Path[] {seqPairs, seqLines};
  }

  @Test
  void sampledLeaveOneOutRunsEveryModelAndRecordsTheCandidateSet() throws IOException {
    Path[] files = sequenceFiles(5_000);
    Path json = dir.resolve("loo.json");
    assertThat(cli.run("evaluate", "--data", files[0].toString(), "--format", "seq-pairs",
        "--model", "pop,itemknn,mf,bpr,ials", "--protocol", "loo", "--candidates", "sampled:100",
        "--json", json.toString())).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("no timestamps in the data, so time order is file order")
        .containsPattern("loo: \\d+ users tested \\(last item\\), \\d+ validation items")
        .contains("candidates: each held-out item against 100 items the user never interacted with "
            + "(drawn without replacement, seed 42)");
    JsonNode root = Json.MAPPER.readTree(json.toFile());
    JsonNode results = root.path("results");
    assertThat(results).hasSize(5);
    for (JsonNode r : results) {
      assertThat(r.path("protocol").path("name").asText()).isEqualTo("loo");
      assertThat(r.path("protocol").path("candidates").asText()).isEqualTo("sampled:100");
      assertThat(r.path("protocol").path("seed").asLong()).isEqualTo(42);
      assertThat(r.path("metrics").path("hr@10").asDouble()).as(r.path("model").asText()).isBetween(0.0, 1.0);
      assertThat(r.path("metrics").path("ndcg@10").isNumber()).isTrue();
      JsonNode split = r.path("splits").get(0);
      assertThat(split.path("test_interactions").asInt()).isEqualTo(split.path("validation_interactions").asInt())
          .isEqualTo(r.path("users_evaluated").asInt()).isPositive();
    }
    // 100 random items against 1: chance is HR@10 ≈ 10/101; popularity must do better on this world.
    assertThat(results.get(0).path("metrics").path("hr@10").asDouble()).isGreaterThan(0.15);
    assertThat(root.path("metrics").path("hr@10").asDouble())
        .isEqualTo(results.get(0).path("metrics").path("hr@10").asDouble());

    // The same sequences as one line per user split the same way.
    Path linesJson = dir.resolve("lines.json");
    assertThat(cli.run("evaluate", "--data", files[1].toString(), "--format", "seq-lines",
        "--model", "pop", "--protocol", "loo", "--json", linesJson.toString())).as(cli.stderr()).isZero();
    JsonNode lines = Json.MAPPER.readTree(linesJson.toFile());
    assertThat(lines.path("protocol").path("candidates").asText()).isEqualTo("all");
    assertThat(lines.path("protocol").has("seed")).isFalse();
    for (String field : List.of("train_interactions", "validation_interactions", "test_interactions")) {
      assertThat(lines.path("splits").get(0).path(field).asInt())
          .isEqualTo(results.get(0).path("splits").get(0).path(field).asInt());
    }
    // Full ranking is harder than 1-in-101.
    assertThat(lines.path("metrics").path("hr@10").asDouble())
        .isLessThan(results.get(0).path("metrics").path("hr@10").asDouble());
  }

  @Test
  void sampledCandidatesAreFixedBySplitSeed() throws IOException {
    Path file = sequenceFiles(3_000)[0];
    double[] hr = new double[3];
    String[] seeds = {"5", "5", "6"};
    for (int n = 0; n < 3; n++) {
      Path json = dir.resolve("s" + n + ".json");
      assertThat(cli.run("evaluate", "--data", file.toString(), "--format", "seq-pairs", "--model", "pop",
          "--protocol", "loo", "--candidates", "sampled:20", "--split-seed", seeds[n], "--k", "5",
          "--json", json.toString())).isZero();
      hr[n] = Json.MAPPER.readTree(json.toFile()).path("metrics").path("mrr").asDouble();
    }
    assertThat(hr[1]).isEqualTo(hr[0]);
    assertThat(hr[2]).isNotEqualTo(hr[0]);
  }

  @Test
  void earlyStoppingUsesTheValidationItemsAndWrongUseIsOneLine() throws IOException {
    Path file = sequenceFiles(3_000)[0];
    Path json = dir.resolve("es.json");
    assertThat(cli.run("evaluate", "--data", file.toString(), "--format", "seq-pairs", "--model", "bpr",
        "--protocol", "loo", "--candidates", "sampled:50", "--early-stopping", "ndcg@10", "--patience", "1",
        "--json", json.toString())).as(cli.stderr()).isZero();
    JsonNode r = Json.MAPPER.readTree(json.toFile());
    assertThat(r.path("protocol").path("early_stopping").asText()).isEqualTo("ndcg@10");
    assertThat(r.path("protocol").path("patience").asInt()).isEqualTo(1);
    // BPR's 120 epochs overfit this small world; with patience 1 the validation part stops it early.
    JsonNode kept = r.path("early_stopping_kept_epoch");
    assertThat(kept.isInt()).as(kept.toString()).isTrue();
    assertThat(kept.asInt()).isBetween(1, 119);
    assertThat(cli.stdout()).contains("bpr stopped early; kept epoch " + kept.asInt() + " (validation ");

    assertThat(cli.run("evaluate", "--data", file.toString(), "--format", "seq-pairs", "--model", "pop",
        "--protocol", "random", "--early-stopping", "ndcg@10")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr()).contains("--early-stopping needs a validation part; --protocol random has none");
    assertThat(cli.run("evaluate", "--data", file.toString(), "--format", "seq-pairs", "--model", "pop",
        "--protocol", "loo", "--candidates", "sampled:0")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr()).contains("--candidates: unknown candidate set 'sampled:0'");
    Path bad = dir.resolve("bad.txt");
    Files.writeString(bad, "1 2\n1 3 4\n");
    assertThat(cli.run("evaluate", "--data", bad.toString(), "--format", "seq-pairs", "--model", "pop",
        "--protocol", "loo")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr()).contains(bad + ":2: expected 2 fields (user item), found 3");
    assertThat(cli.run("evaluate", "--data", bad.toString(), "--format", "seq-pairs", "--model", "pop",
        "--protocol", "loo", "--on-error", "skip")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stdout()).contains("2 rows, 1 accepted, 1 invalid");
    assertThat(cli.stderr()).contains("no user has 3 or more interactions");
    assertThat(cli.run("evaluate", "--data", file.toString(), "--format", "seq-lines", "--model", "pop",
        "--item-col", "2")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr()).contains("do not apply to seq-lines: its columns are fixed (the user, then the items)");
    Path few = dir.resolve("few.txt");
    Files.writeString(few, "1 2\n1 3\n2 3\n");
    assertThat(cli.run("evaluate", "--data", few.toString(), "--format", "seq-pairs", "--model", "pop",
        "--protocol", "loo")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr()).contains("no user has 3 or more interactions");
  }

  @Test
  void aSasrecStudentOfASasrecTeacherIsEvaluatedAtItsOwnWidth() throws IOException {
    Path[] files = sequenceFiles(3_000);
    Path student = dir.resolve("student.json");
    Files.writeString(student, "{\"factors\": 8, \"epochs\": 2, \"negatives\": 64}");
    Path teacher = dir.resolve("teacher.json");
    Files.writeString(teacher, "{\"factors\": 16, \"epochs\": 2, \"negatives\": 64}");
    Path json = dir.resolve("student-out.json");
    assertThat(cli.run("evaluate", "--data", files[0].toString(), "--format", "seq-pairs", "--model", "sasrec",
        "--config", student.toString(), "--distill-from", "sasrec", "--teacher-config", teacher.toString(),
        "--distill-weight", "1", "--protocol", "loo", "--candidates", "sampled:100", "--json", json.toString()))
        .as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("sasrec<sasrec");
    JsonNode root = Json.MAPPER.readTree(json.toFile());
    assertThat(root.path("metrics").path("ndcg@10").asDouble()).isBetween(0.0, 1.0);
  }
}
