package io.perennial.server;

import static io.perennial.server.TestServers.ADMIN;
import static io.perennial.server.TestServers.INGEST;
import static io.perennial.server.TestServers.READ;
import static io.perennial.server.TestServers.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.server.TestServers.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerApiTest {

  @TempDir static Path dir;
  static PerennialServer server;

  @BeforeAll
  static void start() throws InterruptedException {
    server = TestServers.start(dir, "online", 60_000);
    TestServers.awaitReady(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void everyApiRouteNeedsAKeyWithTheRightScopeButHealthDoesNot() {
    assertThat(call(server, "GET", "/health/live", null, null).status()).isEqualTo(200);
    assertThat(call(server, "GET", "/health/ready", null, null).status()).isEqualTo(200);
    Reply noKey = call(server, "GET", "/v1/stats", null, null);
    assertThat(noKey.status()).isEqualTo(401);
    assertThat(noKey.body().path("error").asText()).isEqualTo("unauthorized");
    assertThat(call(server, "GET", "/v1/stats", "wrong-key-0123456789", null).status()).isEqualTo(401);
    assertThat(call(server, "GET", "/metrics", null, null).status()).isEqualTo(401);
    assertThat(call(server, "GET", "/openapi.json", null, null).status()).isEqualTo(401);
    Reply readIngests = call(server, "POST", "/v1/events", READ, "{\"user\":\"a\",\"item\":\"b\",\"type\":\"click\"}");
    assertThat(readIngests.status()).isEqualTo(403);
    assertThat(readIngests.body().path("message").asText()).contains("needs 'ingest'");
    assertThat(call(server, "POST", "/v1/models/retrain", INGEST, null).status()).isEqualTo(403);
    assertThat(call(server, "GET", "/v1/stats", READ, null).status()).isEqualTo(200);
    assertThat(call(server, "GET", "/v1/stats", ADMIN, null).status()).as("admin implies read").isEqualTo(200);
  }

  @Test
  void anAcknowledgedEventIsStoredOnceAndReachesTheUsersRecommendations() throws InterruptedException {
    String batch = "[{\"user\":\"newcomer\",\"item\":\"i1\",\"type\":\"purchase\",\"id\":\"once-1\",\"timestamp\":1700000000},"
        + "{\"user\":\"newcomer\",\"item\":\"i2\",\"type\":\"view\",\"id\":\"once-2\"}]";
    Reply first = call(server, "POST", "/v1/events", INGEST, batch);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body().path("stored").asInt()).isEqualTo(2);
    Reply again = call(server, "POST", "/v1/events", INGEST, batch);
    assertThat(again.body().path("stored").asInt()).isZero();
    assertThat(again.body().path("duplicates").asInt()).isEqualTo(2);
    TestServers.awaitOffset(server, first.body().path("last_offset").asLong());
    Reply recs = call(server, "GET", "/v1/users/newcomer/recommendations?k=5", READ, null);
    assertThat(recs.status()).isEqualTo(200);
    assertThat(recs.body().path("fallback").asBoolean()).as("the learner applied the user's events").isFalse();
    assertThat(recs.body().path("items")).hasSize(5);
    List<String> items = new ArrayList<>();
    recs.body().path("items").forEach(n -> items.add(n.path("item").asText()));
    assertThat(items).as("excludeSeen").doesNotContain("i1", "i2");
    Reply unknown = call(server, "GET", "/v1/users/nobody-here/recommendations?k=3", READ, null);
    assertThat(unknown.body().path("fallback").asBoolean()).isTrue();
    assertThat(unknown.body().path("fallback_reason").asText()).contains("unknown user");
  }

  @Test
  void anInvalidEventRejectsTheBatchNamingIndexAndFieldUnlessPartial() {
    long before = server.store().count();
    String batch = "[{\"user\":\"u1\",\"item\":\"i1\",\"type\":\"click\"},{\"user\":\"u1\",\"item\":\"i1\",\"type\":\"click\",\"value\":\"x\"}]";
    Reply whole = call(server, "POST", "/v1/events", INGEST, batch);
    assertThat(whole.status()).isEqualTo(400);
    assertThat(whole.body().path("details").get(0).path("index").asInt()).isEqualTo(1);
    assertThat(whole.body().path("details").get(0).path("field").asText()).isEqualTo("value");
    assertThat(server.store().count()).isEqualTo(before);
    Reply partial = call(server, "POST", "/v1/events?partial=true", INGEST, batch);
    assertThat(partial.status()).isEqualTo(200);
    assertThat(partial.body().path("stored").asInt()).isEqualTo(1);
    assertThat(partial.body().path("rejected").asInt()).isEqualTo(1);
    assertThat(server.store().count()).isEqualTo(before + 1);
  }

  @Test
  void similarBasketExplainModelsLearnerStatsAndOpenApiAnswer() {
    assertThat(call(server, "GET", "/v1/items/i1/similar?k=4", READ, null).body().path("items")).hasSize(4);
    assertThat(call(server, "GET", "/v1/items/no-such-item/similar", READ, null).status()).isEqualTo(404);
    Reply basket = call(server, "POST", "/v1/recommendations", READ, "{\"items\":[\"i1\",\"i2\",\"zzz\"],\"k\":3}");
    assertThat(basket.body().path("items")).hasSize(3);
    assertThat(basket.body().path("unknown_items").get(0).asText()).isEqualTo("zzz");
    Reply explain = call(server, "GET", "/v1/users/u1/recommendations/i3/explain", READ, null);
    assertThat(explain.status()).isEqualTo(200);
    assertThat(explain.body().path("because").size()).isPositive();
    JsonNode models = call(server, "GET", "/v1/models", READ, null).body();
    assertThat(models.path("versions").get(0).path("kind").asText()).isEqualTo("initial");
    assertThat(models.path("live_version").asLong()).isPositive();
    JsonNode learner = call(server, "GET", "/v1/learner", READ, null).body();
    assertThat(learner.path("strategy").asText()).isEqualTo("online");
    assertThat(learner.has("last_checkpoint_millis")).isTrue();
    assertThat(learner.path("visibility").path("events").asLong()).as("the events posted above were measured").isPositive();
    assertThat(learner.path("visibility").path("share_within_one_second").asDouble()).isBetween(0.0, 1.0);
    assertThat(learner.path("visibility").path("max").asLong())
        .isGreaterThanOrEqualTo(learner.path("visibility").path("p50").asLong());
    JsonNode stats = call(server, "GET", "/v1/stats", READ, null).body();
    assertThat(stats.path("search_ready").asBoolean()).isTrue();
    assertThat(stats.path("events").asLong()).isGreaterThanOrEqualTo(5_000);
    assertThat(stats.path("model_version").asLong()).isPositive();
    JsonNode openApi = call(server, "GET", "/openapi.json", READ, null).body();
    assertThat(openApi.path("paths").has("/v1/users/{id}/recommendations")).isTrue();
    assertThat(openApi.path("paths").has("/v1/models/{version}/activate")).isTrue();
    // A sequence model reads an anonymous session in the order sent: the contract says so.
    assertThat(openApi.path("components").path("schemas").path("BasketQuery").path("properties").path("items")
        .path("description").asText()).contains("time order, oldest first").contains("order is passed on");
    String metrics = call(server, "GET", "/metrics", READ, null).text();
    assertThat(metrics).contains("perennial_http_requests_seconds_bucket").contains("perennial_learner_lag_events")
        .contains("jvm_gc_live_data_size_bytes").contains("jvm_gc_memory_allocated_bytes_total")
        .contains("perennial_learner_visibility_seconds_bucket{le=\"1.0\"}");
  }

  @Test
  void fuzzedRequestsGetOnlyJson4xxAndChangeNothing() {
    long before = server.store().count();
    SplittableRandom random = new SplittableRandom(5);
    String[] bodies = {
      "", "{", "[]", "null", "42", "\"x\"", "[1,2]", "{\"user\":1e999,\"item\":\"i\",\"type\":\"click\"}",
      "{\"user\":\"u\",\"item\":\"i\",\"type\":\"click\",\"value\":NaN}",
      "{\"user\":\"u\",\"item\":\"i\",\"type\":\"click\",\"value\":1e400}",
      "{\"user\":\"u\",\"item\":\"i\",\"type\":\"click\",\"timestamp\":-5}",
      "{\"user\":\"u\",\"item\":\"i\",\"type\":\"click\",\"timestamp\":1.5}",
      "{\"user\":\"u\",\"item\":\"i\",\"type\":\"click\",\"extra\":1}",
      "{\"user\":\"u\",\"user\":\"v\",\"item\":\"i\",\"type\":\"click\"}",
      "{\"user\":\"" + "x".repeat(5000) + "\",\"item\":\"i\",\"type\":\"click\"}",
      "{\"user\":\"\\u0000\",\"item\":\"i\",\"type\":\"click\"}",
      "{\"user\":\"\\ud800\",\"item\":\"i\",\"type\":\"click\"}",
      "{\"user\":[],\"item\":{},\"type\":3}",
      "[" + "{\"user\":\"u\"},".repeat(20) + "{}]",
      "x".repeat(2 << 20),
    };
    String[] paths = {"/v1/users/%s/recommendations?k=%s", "/v1/items/%s/similar?k=%s",
        "/v1/users/%s/recommendations/%s/explain", "/v1/models/%s/activate", "/v1/users/%s/recommendations?excludeSeen=%s"};
    String[] junk = {"-1", "0", "abc", "99999999999", "%00", "%F0%9F%98%80", "a%20b", "NaN", "Infinity", "x".repeat(300)};
    int requests = 0;
    for (int round = 0; round < 40; round++) {
      for (String body : bodies) {
        Reply r = call(server, "POST", "/v1/events", INGEST, body);
        assertThat(r.status()).as("body %s", body.length() > 60 ? body.substring(0, 60) : body).isBetween(400, 499);
        assertThat(r.body()).as("status %d body %s", r.status(), r.text().length() > 200 ? r.text().substring(0, 200) : r.text()).isNotNull();
        assertThat(r.body().path("error").isTextual()).isTrue();
        requests++;
      }
      String path = String.format(paths[random.nextInt(paths.length)], junk[random.nextInt(junk.length)],
          junk[random.nextInt(junk.length)]);
      String method = path.contains("activate") ? "POST" : "GET";
      Reply r = call(server, method, path, ADMIN, null);
      assertThat(r.status()).as(path).isLessThan(500);
      if (r.status() >= 400) {
        assertThat(r.body()).as("%s -> %d %s", path, r.status(), r.text()).isNotNull();
      }
      Reply basket = call(server, "POST", "/v1/recommendations", READ, bodies[random.nextInt(bodies.length)]);
      assertThat(basket.status()).isBetween(400, 499);
      requests += 2;
    }
    // Generated events: random fields of random types, each event invalid at least by its type.
    for (int n = 0; n < 2500; n++) {
      String body = randomInvalidEvents(random);
      Reply r = call(server, "POST", "/v1/events" + (random.nextBoolean() ? "?partial=true" : ""), INGEST, body);
      assertThat(r.status()).as("body %s", body.length() > 120 ? body.substring(0, 120) : body).isBetween(400, 499);
      assertThat(r.body()).as("not JSON: %s", r.text().length() > 200 ? r.text().substring(0, 200) : r.text()).isNotNull();
      requests++;
    }
    assertThat(requests).isGreaterThan(3000);
    assertThat(server.store().count()).isEqualTo(before);
    assertThat(call(server, "GET", "/health/live", null, null).status()).isEqualTo(200);
  }

  private static final String[] KEYS = {"user", "item", "type", "value", "timestamp", "id", "usr", "", "\u00e9", "type "};

  /** A JSON event, or an array of them, that can never be valid: its type is missing or not a known one. */
  private static String randomInvalidEvents(SplittableRandom random) {
    if (random.nextInt(10) == 0) {
      byte[] raw = new byte[random.nextInt(1, 200)];
      random.nextBytes(raw);
      return new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    int events = random.nextInt(4) == 0 ? random.nextInt(1, 5) : 1;
    StringBuilder sb = new StringBuilder(events > 1 ? "[" : "");
    for (int e = 0; e < events; e++) {
      sb.append(e > 0 ? "," : "").append('{');
      int fields = random.nextInt(0, 7);
      boolean first = true;
      for (int f = 0; f < fields; f++) {
        String key = KEYS[random.nextInt(KEYS.length)];
        if (key.equals("type")) {
          continue;
        }
        sb.append(first ? "" : ",").append('"').append(key).append("\":").append(randomValue(random, 0));
        first = false;
      }
      if (random.nextBoolean()) {
        // present, but never a known interaction type
        String[] badTypes = {"\"clik\"", "\"\"", "3", "null", "[\"click\"]", "{\"v\":\"view\"}", "\"VIEW \"", "\"\\u0000\""};
        sb.append(first ? "" : ",").append("\"type\":").append(badTypes[random.nextInt(badTypes.length)]);
      }
      sb.append('}');
    }
    return sb.append(events > 1 ? "]" : "").toString();
  }

  private static String randomValue(SplittableRandom random, int depth) {
    return switch (random.nextInt(depth > 2 ? 6 : 8)) {
      case 0 -> "\"" + "u".repeat(random.nextInt(0, 400)) + "\"";
      case 1 -> String.valueOf(random.nextLong());
      case 2 -> new String[] {"1e999", "-1e999", "NaN", "Infinity", "-0", "1.5e-400", "0x10", "01"}[random.nextInt(8)];
      case 3 -> "\"\\u" + String.format("%04x", random.nextInt(0x10000)) + "\u00e9\u4e2d\ud83d\ude00\"";
      case 4 -> random.nextBoolean() ? "true" : "null";
      case 5 -> "\"\\t\\n\\u0007\"";
      case 6 -> "[" + randomValue(random, depth + 1) + "]";
      default -> "{\"k\":" + randomValue(random, depth + 1) + "}";
    };
  }
}
