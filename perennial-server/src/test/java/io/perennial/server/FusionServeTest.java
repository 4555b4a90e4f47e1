package io.perennial.server;

import static io.perennial.server.TestServers.INGEST;
import static io.perennial.server.TestServers.READ;
import static io.perennial.server.TestServers.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.continual.StrategyConfig;
import io.perennial.server.TestServers.Reply;
import io.perennial.server.http.ApiKeys;
import io.perennial.server.http.HttpOptions;
import io.perennial.server.learn.LearnerSettings;
import io.perennial.server.search.TopKSearch;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fusion served like any model: it learns the events online, answers, checkpoints and comes back (issue 16). */
class FusionServeTest {

  @TempDir Path dir;

  private PerennialServer start() {
    ObjectNode config = TestServers.JSON.createObjectNode();
    config.putArray("members").add("itemknn").add("bpr");
    config.put("method", "weighted");
    config.putObject("memberConfigs").putObject("bpr").put("factors", 8).put("epochs", 3);
    LearnerSettings settings = new LearnerSettings("fusion", config, "online", StrategyConfig.forStream(20_000), 0,
        60_000, 64, 0.2, 500, 11);
    HttpOptions http = new HttpOptions("127.0.0.1", 0, ApiKeys.parse(TestServers.ADMIN + ":admin," + INGEST + ":ingest,"
        + READ + ":read"), 1 << 20, 0, null, null, null);
    return PerennialServer.start(dir, settings, http, TopKSearch.exact(), TestServers::seed);
  }

  @Test
  void aServedFusionLearnsOnlineAndSurvivesARestart() throws Exception {
    String batch = "[{\"user\":\"newcomer\",\"item\":\"i1\",\"type\":\"purchase\",\"id\":\"f-1\"},"
        + "{\"user\":\"newcomer\",\"item\":\"i2\",\"type\":\"view\",\"id\":\"f-2\"}]";
    Reply before;
    try (PerennialServer server = start()) {
      TestServers.awaitReady(server);
      String type = server.learner().served().read(io.perennial.model.Recommender::type);
      assertThat(type).isEqualTo("fusion");
      long offset = call(server, "POST", "/v1/events", INGEST, batch).body().path("last_offset").asLong();
      TestServers.awaitOffset(server, offset);
      before = call(server, "GET", "/v1/users/newcomer/recommendations?k=5", READ, null);
      assertThat(before.status()).isEqualTo(200);
      assertThat(before.body().path("fallback").asBoolean()).as("both members learned the user's events").isFalse();
      assertThat(before.body().path("items")).hasSize(5);
      before.body().path("items").forEach(n -> assertThat(n.path("item").asText()).isNotIn("i1", "i2"));
    }
    try (PerennialServer server = start()) {
      TestServers.awaitReady(server);
      Reply after = call(server, "GET", "/v1/users/newcomer/recommendations?k=5", READ, null);
      assertThat(after.body().path("items")).isEqualTo(before.body().path("items"));
    }
  }
}
