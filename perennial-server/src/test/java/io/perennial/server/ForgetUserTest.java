package io.perennial.server;

import static io.perennial.server.TestServers.ADMIN;
import static io.perennial.server.TestServers.INGEST;
import static io.perennial.server.TestServers.READ;
import static io.perennial.server.TestServers.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.continual.StrategyConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.FactorModel;
import io.perennial.server.TestServers.Reply;
import io.perennial.server.http.ApiKeys;
import io.perennial.server.http.HttpOptions;
import io.perennial.server.learn.LearnerSettings;
import io.perennial.server.search.TopKSearch;
import io.perennial.server.store.ModelVersion;
import io.perennial.store.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DELETE /v1/users/{id} end to end: store, live model, checkpoints, audit, and a restart. */
class ForgetUserTest {

  @TempDir Path dir;

  static PerennialServer start(Path dir, String algorithm) {
    ObjectNode config = TestServers.JSON.createObjectNode();
    config.put("factors", 16);
    config.put("seed", 7);
    if (!algorithm.equals("ials")) {
      config.put("epochs", 5);
    }
    LearnerSettings settings = new LearnerSettings(algorithm, config, "online", StrategyConfig.forStream(20_000), 0, 200,
        64, 0, 500, 11);
    HttpOptions http = new HttpOptions("127.0.0.1", 0,
        ApiKeys.parse(ADMIN + ":admin," + INGEST + ":ingest," + READ + ":read"), 1 << 20, 0, null, null, null);
    return PerennialServer.start(dir, settings, http, TopKSearch.exact(), TestServers::seed);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ials", "bpr"})
  void aForgottenUserLeavesTheStoreTheModelEveryCheckpointAndTheAudit(String algorithm) throws Exception {
    String shared = SyntheticGenerator.itemId(1);
    long lastOffset;
    try (PerennialServer server = start(dir, algorithm)) {
      TestServers.awaitReady(server);
      Reply stored = call(server, "POST", "/v1/events", INGEST, "[{\"user\":\"victim-7\",\"item\":\"solo-item\",\"type\":\"purchase\"},"
          + "{\"user\":\"victim-7\",\"item\":\"solo-item\",\"type\":\"view\"},"
          + "{\"user\":\"victim-7\",\"item\":\"" + shared + "\",\"type\":\"view\"}]");
      assertThat(stored.status()).isEqualTo(200);
      lastOffset = stored.body().path("last_offset").asLong();
      TestServers.awaitOffset(server, lastOffset);
      awaitCheckpointAfter(server, lastOffset);
      int solo = server.learner().items().indexOf("solo-item");
      assertThat(itemNorm(server, solo)).as("the user's own item was learned").isGreaterThan(0f);

      Reply export = call(server, "GET", "/v1/users/victim-7/events", ADMIN, null);
      assertThat(export.status()).isEqualTo(200);
      assertThat(export.body().path("count").asInt()).isEqualTo(3);
      assertThat(export.body().path("events").get(0).path("item").asText()).isEqualTo("solo-item");
      assertThat(call(server, "GET", "/v1/users/victim-7/events", READ, null).status()).isEqualTo(403);
      assertThat(call(server, "DELETE", "/v1/users/victim-7", INGEST, null).status()).isEqualTo(403);

      // the model live at the deletion; BPR's scheduled retrain may replace it soon after
      FactorModel forgetting = (FactorModel) server.learner().served().model();
      Reply deleted = call(server, "DELETE", "/v1/users/victim-7", ADMIN, null);
      assertThat(deleted.status()).as(deleted.text()).isEqualTo(200);
      JsonNode report = deleted.body();
      assertThat(report.path("events_removed").asInt()).isEqualTo(3);
      assertThat(report.path("user").asText()).startsWith("u_");
      assertThat(deleted.text()).doesNotContain("victim-7");
      String guarantee = algorithm.equals("ials") ? "exact" : "approximate";
      assertThat(report.path("live_model").path("guarantee").asText()).isEqualTo(guarantee);
      assertThat(report.path("live_model").path("items_reset_to_prior").asInt()).isEqualTo(1);
      assertThat(report.path("live_model").path("retrain").asText())
          .isEqualTo(algorithm.equals("ials") ? "not needed" : "started");
      assertThat(report.path("checkpoints").toString()).contains("rewritten without the user");

      assertThat(server.store().count()).isEqualTo(5_000);
      assertThat(call(server, "GET", "/v1/users/victim-7/events", ADMIN, null).body().path("count").asInt()).isZero();
      assertThat(server.learner().users().indexOf("victim-7")).isEqualTo(-1);
      float soloNorm = io.perennial.kernel.VectorOps.norm(forgetting.itemFactors(), solo * forgetting.factors(),
          forgetting.factors());
      assertThat(soloNorm).as("the item only the user touched is back to its prior").isZero();
      assertThat(forgetting.popularity()[solo]).isZero();
      Reply recs = call(server, "GET", "/v1/users/victim-7/recommendations?k=3", READ, null);
      assertThat(recs.body().path("fallback_reason").asText()).contains("unknown user");
      for (ModelVersion mv : server.registry().list()) {
        if (server.registry().hasFile(mv.version())) {
          assertThat(Checkpoint.read(dir.resolve("models/model-" + mv.version() + ".pmdl")).users().ids())
              .as("version %d", mv.version()).doesNotContain("victim-7");
        }
      }
      Reply audit = call(server, "GET", "/v1/privacy/deletions", ADMIN, null);
      assertThat(audit.status()).isEqualTo(200);
      assertThat(audit.text()).doesNotContain("victim-7");
      JsonNode record = audit.body().path("deletions").get(0);
      assertThat(record.path("status").asText()).isEqualTo("complete");
      assertThat(record.path("user").asText()).isEqualTo(report.path("user").asText());
      assertThat(record.path("events_removed").asInt()).isEqualTo(3);
      assertThat(record.path("details").path("checkpoints").isArray()).isTrue();
      assertThat(call(server, "GET", "/v1/privacy/deletions", READ, null).status()).isEqualTo(403);
      Reply byUser = call(server, "GET", "/v1/privacy/deletions?user=victim-7", ADMIN, null);
      assertThat(byUser.body().path("deletions")).hasSize(1);
      assertThat(byUser.body().path("deletions").get(0).path("id").asLong()).isEqualTo(record.path("id").asLong());
      assertThat(call(server, "GET", "/v1/privacy/deletions?user=someone-else", ADMIN, null).body().path("deletions"))
          .isEmpty();

      // the learner goes on from a consistent offset: a new event after the gap is learned
      Reply later = call(server, "POST", "/v1/events", INGEST, "{\"user\":\"someone-else\",\"item\":\"" + shared
          + "\",\"type\":\"view\"}");
      assertThat(later.body().path("last_offset").asLong()).isGreaterThan(lastOffset);
      TestServers.awaitOffset(server, later.body().path("last_offset").asLong());
      assertThat(server.learner().offset()).isEqualTo(later.body().path("last_offset").asLong());
      assertThat(server.learner().users().indexOf("victim-7")).isEqualTo(-1);
    }
    try (PerennialServer again = start(dir, algorithm)) {
      TestServers.awaitReady(again);
      assertThat(again.learner().users().indexOf("victim-7")).as("after a restart").isEqualTo(-1);
      int solo = again.learner().items().indexOf("solo-item");
      if (algorithm.equals("ials")) {
        assertThat(itemNorm(again, solo)).isZero();
      }
      assertThat(again.store().lastOffset()).isGreaterThan(lastOffset);
      Reply audit = call(again, "GET", "/v1/privacy/deletions", ADMIN, null);
      assertThat(audit.body().path("deletions")).hasSize(1);
    }
    for (String file : new String[] {"perennial.db", "perennial.db-wal"}) {
      Path p = dir.resolve(file);
      boolean holds = Files.exists(p)
          && Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1).contains("victim-7");
      assertThat(holds).as("%s keeps a copy of the raw id", file).isFalse();
    }
  }

  @Test
  void forgettingAnUnknownUserIsRecordedAndChangesNothing() throws Exception {
    try (PerennialServer server = start(dir, "ials")) {
      TestServers.awaitReady(server);
      long before = server.store().count();
      Reply deleted = call(server, "DELETE", "/v1/users/never-seen", ADMIN, null);
      assertThat(deleted.status()).isEqualTo(200);
      assertThat(deleted.body().path("events_removed").asInt()).isZero();
      assertThat(server.store().count()).isEqualTo(before);
      assertThat(call(server, "DELETE", "/v1/users/bad%09id", ADMIN, null).status()).isEqualTo(400);
    }
  }

  @Test
  void aDeletionWithoutAServerHasTheNextServerRetrain() throws Exception {
    try (PerennialServer server = start(dir, "bpr")) {
      TestServers.awaitReady(server);
      Reply stored = call(server, "POST", "/v1/events", INGEST, "{\"user\":\"offline-victim\",\"item\":\""
          + SyntheticGenerator.itemId(2) + "\",\"type\":\"view\"}");
      TestServers.awaitOffset(server, stored.body().path("last_offset").asLong());
      awaitCheckpointAfter(server, stored.body().path("last_offset").asLong());
    }
    JsonNode report = PerennialServer.forgetOffline(dir, "offline-victim");
    assertThat(report.path("retrain").asText()).startsWith("scheduled");
    try (PerennialServer again = start(dir, "bpr")) {
      TestServers.awaitReady(again);
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline
          && !again.registry().current().map(ModelVersion::kind).orElse("").equals("retrain")) {
        Thread.sleep(50);
      }
      assertThat(again.registry().current().orElseThrow().kind()).isEqualTo("retrain");
    }
  }

  private static void awaitCheckpointAfter(PerennialServer server, long offset) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline
        && server.registry().current().map(ModelVersion::lastOffset).orElse(-1L) < offset) {
      Thread.sleep(20);
    }
    assertThat(server.registry().current().orElseThrow().lastOffset()).isGreaterThanOrEqualTo(offset);
  }

  private static float itemNorm(PerennialServer server, int item) {
    FactorModel m = (FactorModel) server.learner().served().model();
    return server.learner().served().read(r -> io.perennial.kernel.VectorOps.norm(m.itemFactors(), item * m.factors(),
        m.factors()));
  }
}
