package io.perennial.server;

import static io.perennial.server.TestServers.ADMIN;
import static io.perennial.server.TestServers.INGEST;
import static io.perennial.server.TestServers.READ;
import static io.perennial.server.TestServers.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.continual.StrategyConfig;
import io.perennial.data.Interaction;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.ModelState;
import io.perennial.server.TestServers.Reply;
import io.perennial.server.http.ApiKeys;
import io.perennial.server.http.HttpOptions;
import io.perennial.server.learn.LearnerSettings;
import io.perennial.server.search.TopKSearch;
import io.perennial.server.store.DataDirectory;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.ModelRegistry;
import io.perennial.server.store.NewEvent;
import io.perennial.store.Checkpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No model goes live in the server without passing the health check: not a retrain, not an
 * activated version, not the checkpoint loaded at start-up. A refused model leaves the served one
 * in place and the reason is reported.
 */
class ModelHealthGateTest {

  @TempDir Path dir;

  private static ObjectNode mfConfig(double learningRate) {
    ObjectNode config = TestServers.JSON.createObjectNode();
    config.put("factors", 8).put("epochs", 5).put("seed", 7).put("learningRate", learningRate);
    return config;
  }

  /** A biased-MF server learning online, on a store seeded with 3,000 synthetic star ratings. */
  private PerennialServer start(ObjectNode mfConfig) throws InterruptedException {
    LearnerSettings settings = new LearnerSettings("mf", mfConfig, "online", StrategyConfig.forStream(20_000), 0,
        60_000, 64, 0.2, 500, 11);
    HttpOptions http = new HttpOptions("127.0.0.1", 0,
        ApiKeys.parse(ADMIN + ":admin," + INGEST + ":ingest," + READ + ":read"), 1 << 20, 0, null, null, null);
    PerennialServer server = PerennialServer.start(dir, settings, http, TopKSearch.exact(), ModelHealthGateTest::seed);
    TestServers.awaitReady(server);
    return server;
  }

  private static void seed(EventStore store) {
    SyntheticGenerator gen = new SyntheticGenerator(
        SyntheticConfig.defaults().withEvents(3_000).withRatings(true).withSeed(3).withSize(200, 150));
    List<NewEvent> batch = new ArrayList<>();
    while (gen.hasNext()) {
      Interaction e = gen.next();
      batch.add(new NewEvent(null, SyntheticGenerator.userId(e.user()), SyntheticGenerator.itemId(e.item()), e.type(),
          e.value(), e.timestamp()));
    }
    store.append(batch).join();
  }

  private static long liveVersion(PerennialServer server) {
    return call(server, "GET", "/v1/models", READ, null).body().path("live_version").asLong();
  }

  private static String lastError(PerennialServer server) {
    return call(server, "GET", "/v1/learner", READ, null).body().path("last_error").asText();
  }

  private static String someUser() {
    return SyntheticGenerator.userId(1);
  }

  /** Recommendations answer with items and the explained score is a number: the served model works. */
  private static void assertServes(PerennialServer server) {
    Reply recs = call(server, "GET", "/v1/users/" + someUser() + "/recommendations?k=5", READ, null);
    assertThat(recs.status()).isEqualTo(200);
    assertThat(recs.body().path("items")).hasSize(5);
    String item = recs.body().path("items").get(0).path("item").asText();
    Reply explain = call(server, "GET", "/v1/users/" + someUser() + "/recommendations/" + item + "/explain", READ, null);
    assertThat(explain.body().path("score").isNumber()).as(explain.text()).isTrue();
    assertThat(Double.isFinite(explain.body().path("score").asDouble())).isTrue();
  }

  /** The model of {@code version} with one NaN parameter, registered as a new version. */
  private static long registerPoisonedCopy(ModelRegistry registry, long version, boolean makeCurrent) {
    Checkpoint good = registry.load(version);
    ModelState state = good.state().deepCopy();
    state.floats("item_factors")[0] = Float.NaN;
    return registry.register(new Checkpoint(state, good.users(), good.items(), good.provenance()), "checkpoint",
        version, Map.of(), makeCurrent).version();
  }

  @Test
  void wildRatingsThenARetrainLeaveAWorkingModelLive() throws InterruptedException {
    try (PerennialServer server = start(mfConfig(0.01))) {
      StringBuilder batch = new StringBuilder("[");
      for (int e = 0; e < 20; e++) {
        batch.append(e == 0 ? "" : ",").append("{\"user\":\"").append(SyntheticGenerator.userId(e % 4))
            .append("\",\"item\":\"").append(SyntheticGenerator.itemId(e % 7)).append("\",\"type\":\"rating\",\"value\":")
            .append(e % 2 == 0 ? "1e6" : "-1e6").append('}');
      }
      Reply posted = call(server, "POST", "/v1/events", INGEST, batch.append(']').toString());
      assertThat(posted.status()).isEqualTo(200);
      TestServers.awaitOffset(server, posted.body().path("last_offset").asLong());

      Reply retrain = call(server, "POST", "/v1/models/retrain?wait=true", ADMIN, null);

      assertThat(retrain.status()).as(retrain.text()).isEqualTo(200);
      assertThat(retrain.body().path("status").asText()).isEqualTo("live");
      assertThat(liveVersion(server)).isEqualTo(retrain.body().path("version").asLong());
      assertServes(server);
    }
  }

  @Test
  void activatingAVersionWithNaNParametersIsRefusedAndTheLiveOneStays() throws InterruptedException {
    try (PerennialServer server = start(mfConfig(0.01))) {
      long live = liveVersion(server);
      long poisoned = registerPoisonedCopy(server.registry(), live, false);

      Reply activate = call(server, "POST", "/v1/models/" + poisoned + "/activate", ADMIN, null);

      assertThat(activate.status()).isEqualTo(409);
      assertThat(activate.body().path("message").asText())
          .contains("model version " + poisoned + " was refused by the health check").contains("NaN in item_factors row 0");
      assertThat(liveVersion(server)).isEqualTo(live);
      assertThat(server.registry().current().orElseThrow().version()).isEqualTo(live);
      assertThat(lastError(server)).contains("refused");
      assertServes(server);
    }
  }

  @Test
  void startUpRefusesANaNCurrentVersionAndServesTheLastHealthyOne() throws InterruptedException {
    long healthy;
    try (PerennialServer server = start(mfConfig(0.01))) {
      healthy = liveVersion(server);
    }
    long poisoned;
    try (DataDirectory data = DataDirectory.open(dir); EventStore store = EventStore.open(data)) {
      poisoned = registerPoisonedCopy(new ModelRegistry(store, data), healthy, true);
    }

    try (PerennialServer server = start(mfConfig(0.01))) {
      assertThat(liveVersion(server)).isEqualTo(healthy);
      assertThat(server.registry().current().orElseThrow().version()).isEqualTo(healthy);
      assertThat(lastError(server)).contains("model version " + poisoned + " was refused by the health check at start-up")
          .contains("NaN");
      assertServes(server);
    }
  }

  @Test
  void aRetrainThatDivergesIsRefusedAndTheLiveModelStays() throws InterruptedException {
    long healthy;
    try (PerennialServer server = start(mfConfig(0.01))) {
      healthy = liveVersion(server);
    }
    // restarted with a learning rate no model survives: the loaded model keeps its own config,
    // the retrain uses the new one
    try (PerennialServer server = start(mfConfig(1e4))) {
      assertThat(liveVersion(server)).isEqualTo(healthy);

      Reply retrain = call(server, "POST", "/v1/models/retrain?wait=true", ADMIN, null);

      assertThat(retrain.status()).as(retrain.text()).isEqualTo(409);
      assertThat(retrain.body().path("error").asText()).isEqualTo("retrain_refused");
      assertThat(retrain.body().path("message").asText()).contains("the retrained model was refused by the health check")
          .contains("version " + healthy + " stays live");
      assertThat(liveVersion(server)).isEqualTo(healthy);
      assertThat(lastError(server)).contains("refused");
      assertServes(server);
    }
  }
}
