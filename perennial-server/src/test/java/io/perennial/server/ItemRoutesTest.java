package io.perennial.server;

import static io.perennial.server.TestServers.INGEST;
import static io.perennial.server.TestServers.READ;
import static io.perennial.server.TestServers.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.server.TestServers.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The item metadata routes over real HTTP: upsert versioned by time, bulk bodies as for events,
 * bad input refused with the member named, metadata attached to recommendations on request, and
 * items surviving a restart in the event store's database.
 */
class ItemRoutesTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

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

  private static Reply put(String id, String body) {
    return call(server, "PUT", "/v1/items/" + id, INGEST, body);
  }

  private static Reply postLines(String query, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/items" + query))
        .header("Authorization", "Bearer " + INGEST).header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), TestServers.JSON.readTree(r.body()), r.body());
  }

  // an id outside the synthetic catalogue: another test gives metadata to whatever item is recommended first
  @Test
  void aPutIsReadBackAndALaterPutWinsWhileAStaleOneIsRefused() {
    Reply first = put("dune", "{\"title\":\"Dune\",\"text\":{\"plot\":\"Spice and sand\"},\"categories\":{\"genres\":[\"SF\",\"Classic\"]},"
        + "\"numbers\":{\"year\":1965},\"tags\":[\"desert\"],\"updated\":1700000000000}");
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    assertThat(first.body().path("stored").asBoolean()).isTrue();
    assertThat(first.body().path("version").asInt()).isEqualTo(1);

    Reply got = call(server, "GET", "/v1/items/dune", READ, null);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.body().path("title").asText()).isEqualTo("Dune");
    assertThat(got.body().path("text").path("plot").asText()).isEqualTo("Spice and sand");
    assertThat(got.body().path("categories").path("genres").get(1).asText()).isEqualTo("Classic");
    assertThat(got.body().path("numbers").path("year").asDouble()).isEqualTo(1965.0);
    assertThat(got.body().path("updated").asLong()).isEqualTo(1_700_000_000_000L);
    assertThat(got.body().path("updated_at").asText()).isEqualTo("2023-11-14T22:13:20Z");

    Reply later = put("dune", "{\"title\":\"Dune (1965)\",\"updated\":1700000000001}");
    assertThat(later.status()).isEqualTo(200);
    assertThat(later.body().path("version").asInt()).isEqualTo(2);
    assertThat(later.body().has("numbers")).as("a PUT replaces the whole item").isFalse();

    Reply stale = put("dune", "{\"title\":\"Old\",\"updated\":1600000000000}");
    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.body().path("error").asText()).isEqualTo("stale_update");
    assertThat(call(server, "GET", "/v1/items/dune", READ, null).body().path("title").asText()).isEqualTo("Dune (1965)");

    assertThat(call(server, "GET", "/v1/items/nothing-here", READ, null).status()).isEqualTo(404);
    assertThat(call(server, "GET", "/v1/stats", READ, null).body().path("items_with_metadata").asLong()).isPositive();
    assertThat(call(server, "PUT", "/v1/items/dune", READ, "{\"title\":\"x\"}").status()).isEqualTo(403);
    assertThat(call(server, "GET", "/v1/items/dune", INGEST, null).status()).isEqualTo(403);
  }

  @Test
  void badItemsAreRefusedWithTheMemberNamed() {
    assertBad(put("b1", "{\"title\":\"x\",\"colour\":\"red\"}"), "colour",
        "unknown field (expected id, title, text, categories, numbers, tags, updated)");
    assertBad(put("b1", "{\"title\":42}"), "title", "must be a string");
    assertBad(put("b1", "{\"numbers\":{\"year\":\"1999\"}}"), "numbers.year", "must be a number");
    assertBad(put("b1", "{\"categories\":{\"genres\":\"Drama\"}}"), "categories.genres", "must be an array of strings");
    assertBad(put("b1", "{\"categories\":{\"genres\":[\"Drama\",7]}}"), "categories.genres[1]", "must be a string");
    assertBad(put("b1", "{\"text\":{\"bad name!\":\"x\"}}"), "text.bad name!", "a field name may hold only");
    assertBad(put("b1", "{\"id\":\"b2\",\"title\":\"x\"}"), "id", "does not match the id in the path");
    assertBad(put("b1", "{\"updated\":\"yesterday\"}"), "updated", "must be an integer");
    assertBad(put("b1", "{\"title\":\"" + "x".repeat(10_001) + "\"}"), "title", "longer than 10000 characters");
    assertBad(put("b1", "[{\"title\":\"x\"}]"), "body", "an item must be a JSON object");
    assertBad(put("x".repeat(300), "{\"title\":\"x\"}"), "id", "id longer than 256 characters");
    Reply malformed = put("b1", "{\"title\":");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.body().path("error").asText()).isEqualTo("malformed_json");
    Reply huge = put("b1", "{\"title\":\"" + "x".repeat(1 << 20) + "\"}");
    assertThat(huge.status()).isEqualTo(413);
    assertThat(call(server, "GET", "/v1/items/b1", READ, null).status()).as("nothing was stored").isEqualTo(404);
  }

  private static void assertBad(Reply r, String field, String message) {
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.body().path("details").get(0).path("field").asText()).as(r.text()).isEqualTo(field);
    assertThat(r.body().path("message").asText()).as(r.text()).contains(message);
  }

  @Test
  void aBulkBodyIsAllOrNothingUnlessPartialAndStaleItemsAreSkipped() throws Exception {
    String batch = "[{\"id\":\"k1\",\"title\":\"One\"},{\"id\":\"k2\",\"title\":2},{\"title\":\"no id\"}]";
    Reply refused = call(server, "POST", "/v1/items", INGEST, batch);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body().path("error").asText()).isEqualTo("invalid_items");
    assertThat(refused.body().path("details").get(0).path("index").asInt()).isEqualTo(1);
    assertThat(refused.body().path("details").get(0).path("field").asText()).isEqualTo("title");
    assertThat(refused.body().path("details").get(1).path("field").asText()).isEqualTo("id");
    assertThat(call(server, "GET", "/v1/items/k1", READ, null).status()).isEqualTo(404);

    Reply partial = call(server, "POST", "/v1/items?partial=true", INGEST, batch);
    assertThat(partial.status()).isEqualTo(200);
    assertThat(partial.body().path("stored").asInt()).isEqualTo(1);
    assertThat(partial.body().path("rejected").asInt()).isEqualTo(2);
    assertThat(call(server, "GET", "/v1/items/k1", READ, null).body().path("title").asText()).isEqualTo("One");

    Reply lines = postLines("", "{\"id\":\"k3\",\"title\":\"Three\",\"updated\":5000}\n\n"
        + "{\"id\":\"k3\",\"title\":\"Three, older\",\"updated\":4000}\n{\"id\":\"k4\",\"tags\":[\"a\",\"b\"]}\n");
    assertThat(lines.status()).as(lines.text()).isEqualTo(200);
    assertThat(lines.body().path("stored").asInt()).isEqualTo(2);
    assertThat(lines.body().path("stale").asInt()).isEqualTo(1);
    assertThat(lines.body().path("stale_items").get(0).asText()).isEqualTo("k3");
    assertThat(call(server, "GET", "/v1/items/k3", READ, null).body().path("title").asText()).isEqualTo("Three");

    Reply badLine = postLines("", "{\"id\":\"k5\"}\n{\"id\":\"k6\",\"numbers\":{\"n\":true}}\n");
    assertThat(badLine.status()).isEqualTo(400);
    assertThat(badLine.body().path("details").get(0).path("line").asInt()).isEqualTo(2);
    assertThat(badLine.body().path("details").get(0).path("field").asText()).isEqualTo("numbers.n");

    StringBuilder tooMany = new StringBuilder();
    for (int i = 0; i <= 10_000; i++) {
      tooMany.append("{\"id\":\"m").append(i).append("\"}\n");
    }
    assertThat(postLines("", tooMany.toString()).status()).isEqualTo(413);
  }

  @Test
  void recommendationsCarryTheItemsMetadataOnRequest() {
    Reply plain = call(server, "GET", "/v1/users/u1/recommendations?k=20", READ, null);
    assertThat(plain.status()).isEqualTo(200);
    JsonNode first = plain.body().path("items").get(0);
    assertThat(first.has("metadata")).isFalse();
    String top = first.path("item").asText();
    assertThat(put(top, "{\"title\":\"The top one\",\"tags\":[\"best\"]}").status()).isEqualTo(200);

    Reply with = call(server, "GET", "/v1/users/u1/recommendations?k=20&include=items", READ, null);
    assertThat(with.status()).isEqualTo(200);
    int described = 0;
    for (JsonNode item : with.body().path("items")) {
      assertThat(item.has("metadata")).isTrue();
      if (item.path("item").asText().equals(top)) {
        assertThat(item.path("metadata").path("title").asText()).isEqualTo("The top one");
        assertThat(item.path("metadata").path("tags").get(0).asText()).isEqualTo("best");
        described++;
      }
    }
    assertThat(described).isEqualTo(1);
    Reply similar = call(server, "GET", "/v1/items/" + top + "/similar?k=5&include=items", READ, null);
    assertThat(similar.status()).isEqualTo(200);
    assertThat(similar.body().path("items").get(0).has("metadata")).isTrue();

    Reply bogus = call(server, "GET", "/v1/users/u1/recommendations?include=friends", READ, null);
    assertThat(bogus.status()).isEqualTo(400);
    assertThat(bogus.body().path("message").asText()).contains("include").contains("friends");
  }

  @Test
  void theOpenApiDocumentDescribesTheItemRoutes() {
    JsonNode doc = call(server, "GET", "/openapi.json", READ, null).body();
    assertThat(doc.path("paths").path("/v1/items/{id}").has("put")).isTrue();
    assertThat(doc.path("paths").path("/v1/items/{id}").path("get").path("x-scope").asText()).isEqualTo("read");
    assertThat(doc.path("paths").path("/v1/items").path("post").path("requestBody").path("content")
        .has("application/x-ndjson")).isTrue();
    assertThat(doc.path("components").path("schemas").path("ItemUpdate").path("additionalProperties").asBoolean(true)).isFalse();
    assertThat(doc.path("paths").path("/v1/users/{id}/recommendations").path("get").path("parameters").toString())
        .contains("\"include\"");
  }
}
