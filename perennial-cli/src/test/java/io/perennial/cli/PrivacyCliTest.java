package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadReport;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.server.store.DataDirectory;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.ModelRegistry;
import io.perennial.server.store.NewEvent;
import io.perennial.store.Checkpoint;
import io.perennial.store.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code perennial forget} on a stopped server's directory, and DP-SGD's ε in {@code evaluate --json}. */
class PrivacyCliTest {

  @TempDir Path dir;

  /** A data directory whose store and one registered iALS checkpoint hold {@code gone-user}. */
  private Path dataDirectory() {
    Path data = dir.resolve("data");
    SplittableRandom random = new SplittableRandom(2);
    List<NewEvent> events = new ArrayList<>();
    InteractionLog log = new InteractionLog();
    IdIndex users = new IdIndex();
    IdIndex items = new IdIndex();
    for (int e = 0; e < 2_000; e++) {
      String user = e % 100 == 0 ? "gone-user" : "u" + random.nextInt(60);
      String item = "i" + random.nextInt(80);
      events.add(new NewEvent(null, user, item, InteractionType.VIEW, 1f, 1_700_000_000L + e));
      log.add(users.getOrAdd(user), items.getOrAdd(item), 1f, 1_700_000_000L + e, InteractionType.VIEW);
    }
    Dataset dataset = new Dataset(users, items, log, new ReadReport(log.size(), log.size(), Map.of(), 0, 0, List.of()));
    Recommender model = Algorithms.trainer("ials", null).fit(dataset);
    try (DataDirectory d = DataDirectory.open(data); EventStore store = EventStore.open(d)) {
      long last = store.append(events).join().lastOffset();
      Provenance p = new Provenance(1, "test", log.size(), 0, 0, last, null, Map.of(), "now", "test");
      new ModelRegistry(store, d).register(new Checkpoint(model.state(), users, items, p), "initial", null, Map.of(), true);
    }
    return data;
  }

  @Test
  void forgetRemovesTheUsersEventsAndRewritesTheCheckpoint() throws Exception {
    Path data = dataDirectory();
    CliHarness.Result r = CliHarness.runOnce("forget", "--data-dir", data.toString(), "--user", "gone-user");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode report = new ObjectMapper().readTree(r.stdout());
    assertThat(report.path("events_removed").asInt()).isEqualTo(20);
    assertThat(report.path("checkpoints").get(0).path("action").asText()).isEqualTo("rewritten without the user");
    assertThat(report.path("checkpoints").get(0).path("guarantee").asText()).isEqualTo("exact");
    assertThat(r.stdout()).doesNotContain("gone-user");
    assertThat(Checkpoint.read(data.resolve("models/model-1.pmdl")).users().ids()).doesNotContain("gone-user");
    try (DataDirectory d = DataDirectory.open(data); EventStore store = EventStore.open(d)) {
      assertThat(store.count()).isEqualTo(1_980);
    }
    CliHarness.Result again = CliHarness.runOnce("forget", "--data-dir", data.toString(), "--user", "gone-user");
    assertThat(again.exitCode()).isZero();
    assertThat(new ObjectMapper().readTree(again.stdout()).path("events_removed").asInt()).isZero();
  }

  @Test
  void forgetNamesTheProblemWithTheDirectoryOrTheId() throws Exception {
    CliHarness.Result missing = CliHarness.runOnce("forget", "--data-dir", dir.resolve("nothing").toString(), "--user", "x");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.stderr()).contains("--data-dir").contains("not a Perennial data directory");
    Path data = dataDirectory();
    CliHarness.Result badId = CliHarness.runOnce("forget", "--data-dir", data.toString(), "--user", "a\tb");
    assertThat(badId.exitCode()).isEqualTo(2);
    assertThat(badId.stderr()).contains("--user");
    try (DataDirectory held = DataDirectory.open(data)) {
      CliHarness.Result locked = CliHarness.runOnce("forget", "--data-dir", data.toString(), "--user", "gone-user");
      assertThat(locked.exitCode()).isEqualTo(2);
      assertThat(locked.stderr()).contains("DELETE /v1/users/{id}");
    }
  }

  @Test
  void evaluateReportsTheEpsilonOfADifferentiallyPrivateModel() throws Exception {
    Path ratings = CliHarness.ratingsCsv(dir, 3_000);
    Path config = Files.writeString(dir.resolve("dp.json"),
        "{\"epochs\": 3, \"factors\": 8, \"dp\": {\"targetEpsilon\": 2, \"batchSize\": 256}}");
    Path out = dir.resolve("out.json");
    CliHarness.Result r = CliHarness.runOnce("evaluate", "--data", ratings.toString(), "--implicit", "--model", "bpr",
        "--protocol", "user-temporal", "--config", config.toString(), "--json", out.toString());
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode privacy = new ObjectMapper().readTree(out.toFile()).path("privacy");
    assertThat(privacy.path("epsilon").asDouble()).isBetween(1.9, 2.0);
    assertThat(privacy.path("delta").asDouble()).isEqualTo(1e-5);
    assertThat(privacy.path("unit").asText()).isEqualTo("interaction");
    assertThat(privacy.path("splits").get(0).path("steps").asInt()).isPositive();
  }
}
