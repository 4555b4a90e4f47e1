package io.perennial.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.continual.StrategyConfig;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingListener;
import io.perennial.model.TrainingOptions;
import io.perennial.server.PerennialServer;
import io.perennial.server.http.ApiKeys;
import io.perennial.server.http.HttpOptions;
import io.perennial.server.learn.LearnerSettings;
import io.perennial.server.search.TopKSearch;
import io.perennial.server.store.NewEvent;
import io.perennial.store.Checkpoint;
import io.perennial.store.Provenance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster-scale hybrid end to end: a running server stores events; the same events, exported,
 * are trained by spark-train on local[2]; POST /v1/models/import puts the checkpoint into the
 * registry as a new live version (through the health gate), it answers recommendations as the
 * Spark model does, and the learner keeps learning new events online on it.
 */
class SparkImportTest {

  private static final String ADMIN = "admin-key-0123456789";
  private static final String INGEST = "ingest-key-0123456789";
  private static final String READ = "read-key-0123456789abc";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void aSparkTrainedCheckpointGoesLiveAndKeepsLearningOnline() throws Exception {
    Dataset world = SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(6_000).withSeed(9).withSize(300, 400));
    ObjectNode config = JSON.createObjectNode().put("factors", 16).put("iterations", 6).put("threads", 2);
    LearnerSettings settings = new LearnerSettings("ials", config, "online", StrategyConfig.forStream(20_000), 0,
        3_600_000, 64, 0.0, 500, 11);
    HttpOptions http = new HttpOptions("127.0.0.1", 0,
        ApiKeys.parse(ADMIN + ":admin," + INGEST + ":ingest," + READ + ":read"), 1 << 20, 0, null, null, null);
    try (PerennialServer server = PerennialServer.start(dir.resolve("data"), settings, http, TopKSearch.exact(),
        store -> store.append(events(world)).join())) {
      awaitReady(server);
      long initial = server.learner().served().version();

      // the nightly batch: the store's events, exported and trained on Spark
      Path export = SparkTestSupport.writeCsv(world, world.log(), dir.resolve("export.csv"));
      SparkTrainJob.Result trained = SparkTrainJob.run(SparkTestSupport.spark(),
          EventSource.of(export.toString(), EventSource.Format.CSV),
          new SparkTrainJob.Settings("ials", config, SparkIals.Solver.PERENNIAL, 2, Double.NaN),
          TrainingListener.silent(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      Path model = dir.resolve("spark.pmdl");
      trained.checkpoint().write(model);

      assertThat(call(server, "POST", "/v1/models/import", READ, body(model)).status())
          .as("importing needs the admin scope").isEqualTo(403);
      Reply imported = call(server, "POST", "/v1/models/import", ADMIN, body(model));
      assertThat(imported.status()).as(imported.text()).isEqualTo(200);
      long version = imported.body().path("live_version").asLong();
      assertThat(version).isGreaterThan(initial);
      assertThat(imported.body().path("source").asText()).contains("perennial-spark");

      JsonNode listed = null;
      for (JsonNode v : call(server, "GET", "/v1/models", READ, null).body().path("versions")) {
        if (v.path("version").asLong() == version) {
          listed = v;
        }
      }
      assertThat(listed).isNotNull();
      assertThat(listed.path("kind").asText()).isEqualTo("import");
      assertThat(listed.path("live").asBoolean()).isTrue();

      // the live model answers as the Spark-trained one does
      Checkpoint cp = Checkpoint.read(model);
      Recommender spark = Algorithms.restore(cp.state());
      String user = world.users().idOf(world.log().user(0));
      Recommendations expected = spark.recommend(cp.users().indexOf(user), 10, true, null);
      List<String> expectedItems = new ArrayList<>();
      for (int id : expected.ids()) {
        expectedItems.add(cp.items().idOf(id));
      }
      Reply served = call(server, "GET", "/v1/users/" + user + "/recommendations?k=10", READ, null);
      List<String> servedItems = new ArrayList<>();
      served.body().path("items").forEach(n -> servedItems.add(n.path("item").asText()));
      assertThat(servedItems).isEqualTo(expectedItems);

      // and keeps learning online: a new user's events make them known to the imported model
      StringBuilder batch = new StringBuilder("[");
      for (int n = 0; n < 6; n++) {
        batch.append(n == 0 ? "" : ",").append("{\"user\":\"newcomer\",\"item\":\"").append(world.items().idOf(n + 1))
            .append("\",\"type\":\"click\"}");
      }
      long before = server.learner().offset();
      assertThat(call(server, "POST", "/v1/events", INGEST, batch.append("]").toString()).status()).isEqualTo(200);
      long deadline = System.currentTimeMillis() + 30_000;
      while (server.learner().offset() < before + 6 && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertThat(server.learner().offset()).isEqualTo(before + 6);
      assertThat(server.learner().served().version()).as("learned in place on the imported version").isEqualTo(version);
      Reply newcomer = call(server, "GET", "/v1/users/newcomer/recommendations?k=5", READ, null);
      assertThat(newcomer.body().path("fallback").asBoolean()).as(newcomer.text()).isFalse();
      assertThat(server.learner().served().model().userCount()).isEqualTo(world.userCount() + 1);

      // a model the server cannot run, and a file that is not a model, are refused; the import stays live
      Recommender bpr = Algorithms.trainer("bpr", JSON.createObjectNode().put("factors", 8).put("epochs", 1))
          .fit(world, TrainingOptions.silent());
      Path bprFile = dir.resolve("bpr.pmdl");
      new Checkpoint(bpr.state(), world.users(), world.items(), Provenance.ofTraining(1, "test", world)).write(bprFile);
      Reply wrongAlgorithm = call(server, "POST", "/v1/models/import", ADMIN, body(bprFile));
      assertThat(wrongAlgorithm.status()).isEqualTo(409);
      assertThat(wrongAlgorithm.body().path("message").asText()).contains("this server runs ials");
      Path junk = Files.writeString(dir.resolve("junk.pmdl"), "not a model");
      Reply corrupt = call(server, "POST", "/v1/models/import", ADMIN, body(junk));
      assertThat(corrupt.status()).isEqualTo(400);
      assertThat(corrupt.body().path("message").asText()).contains("not a Perennial model file");
      assertThat(server.learner().served().version()).isEqualTo(version);
    }
  }

  private static List<NewEvent> events(Dataset world) {
    InteractionLog log = world.log();
    List<NewEvent> out = new ArrayList<>(log.size());
    for (int e = 0; e < log.size(); e++) {
      out.add(new NewEvent(null, world.users().idOf(log.user(e)), world.items().idOf(log.item(e)), log.type(e),
          log.value(e), log.timestamp(e)));
    }
    return out;
  }

  private static String body(Path model) {
    return JSON.createObjectNode().put("path", model.toString()).toString();
  }

  private static void awaitReady(PerennialServer server) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!server.learner().ready() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.learner().ready()).as("a model within 60 s").isTrue();
  }

  private record Reply(int status, JsonNode body, String text) {}

  private static Reply call(PerennialServer server, String method, String path, String key, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", "Bearer " + key);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = null;
    try {
      json = JSON.readTree(r.body());
    } catch (IOException notJson) {
      // the assertion shows the text
    }
    return new Reply(r.statusCode(), json, r.body());
  }
}
