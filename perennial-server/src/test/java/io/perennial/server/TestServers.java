package io.perennial.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.continual.StrategyConfig;
import io.perennial.data.Interaction;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.server.http.ApiKeys;
import io.perennial.server.http.HttpOptions;
import io.perennial.server.search.TopKSearch;
import io.perennial.server.learn.LearnerSettings;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.NewEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small servers for tests: a synthetic store, a quick BPR, and an HTTP client with keys. */
final class TestServers {

  static final String ADMIN = "admin-key-0123456789";
  static final String INGEST = "ingest-key-0123456789";
  static final String READ = "read-key-0123456789abc";
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private TestServers() {}

  static LearnerSettings settings(String strategy, long checkpointMillis) {
    return settings(strategy, checkpointMillis, 16);
  }

  static LearnerSettings settings(String strategy, long checkpointMillis, int factors) {
    ObjectNode config = JSON.createObjectNode();
    config.put("factors", factors);
    config.put("epochs", 5);
    config.put("seed", 7);
    return new LearnerSettings("bpr", config, strategy, StrategyConfig.forStream(20_000), 0, checkpointMillis, 64, 0.2,
        500, 11);
  }

  static PerennialServer start(Path dir, String strategy, long checkpointMillis) {
    return start(dir, settings(strategy, checkpointMillis));
  }

  static PerennialServer start(Path dir, LearnerSettings settings) {
    HttpOptions http = new HttpOptions("127.0.0.1", 0, ApiKeys.parse(ADMIN + ":admin," + INGEST + ":ingest," + READ + ":read"),
        1 << 20, 0, null, null, null);
    return PerennialServer.start(dir, settings, http, TopKSearch.exact(), TestServers::seed);
  }

  /** As {@link #start}, consuming events from Kafka as {@code kafka} says. */
  static PerennialServer startWithKafka(Path dir, io.perennial.server.kafka.KafkaSettings kafka) {
    HttpOptions http = new HttpOptions("127.0.0.1", 0, ApiKeys.parse(ADMIN + ":admin," + INGEST + ":ingest," + READ + ":read"),
        1 << 20, 0, null, null, null);
    return PerennialServer.start(dir, settings("online", 60_000), http, TopKSearch.exact(), TestServers::seed, kafka);
  }

  /**
   * A server whose checkpoints take long enough to be caught mid-write: 20,000 items × 64 factors
   * (about 6 MB per checkpoint), checkpointing every {@code checkpointMillis} while events arrive.
   */
  static PerennialServer startLarge(Path dir, long checkpointMillis) {
    HttpOptions http = new HttpOptions("127.0.0.1", 0, ApiKeys.parse(ADMIN + ":admin," + INGEST + ":ingest," + READ + ":read"),
        1 << 20, 0, null, null, null);
    return PerennialServer.start(dir, settings("online", checkpointMillis, 64), http, TopKSearch.exact(),
        store -> seed(store, SyntheticConfig.defaults().withEvents(40_000).withSeed(3).withSize(2_000, 20_000)));
  }

  static void seed(EventStore store) {
    seed(store, SyntheticConfig.defaults().withEvents(5_000).withSeed(3).withSize(300, 400));
  }

  private static void seed(EventStore store, SyntheticConfig config) {
    SyntheticGenerator gen = new SyntheticGenerator(config);
    List<NewEvent> batch = new ArrayList<>();
    while (gen.hasNext()) {
      Interaction e = gen.next();
      batch.add(new NewEvent(null, SyntheticGenerator.userId(e.user()), SyntheticGenerator.itemId(e.item()), e.type(),
          e.value(), e.timestamp()));
    }
    store.append(batch).join();
  }

  static void awaitReady(PerennialServer server) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!server.learner().ready() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    if (!server.learner().ready()) {
      throw new AssertionError("no model after 60 s");
    }
  }

  static void awaitOffset(PerennialServer server, long offset) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (server.learner().offset() < offset && System.currentTimeMillis() < deadline) {
      Thread.sleep(5);
    }
  }

  record Reply(int status, JsonNode body, String text) {}

  static Reply call(PerennialServer server, String method, String path, String key, String body) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (key != null) {
        b.header("Authorization", "Bearer " + key);
      }
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      try {
        json = JSON.readTree(r.body());
      } catch (IOException notJson) {
        // the caller asserts on the text
      }
      return new Reply(r.statusCode(), json, r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
