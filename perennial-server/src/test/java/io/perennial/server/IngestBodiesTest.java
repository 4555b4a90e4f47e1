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
 * {@code POST /v1/events} bodies over real HTTP: a JSON body is exactly one value (anything after
 * it is refused with its offset, nothing stored), and JSON Lines is accepted when declared.
 */
class IngestBodiesTest {

  private static final String NDJSON = "application/x-ndjson";
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

  private static String event(String user, String item) {
    return "{\"user\":\"" + user + "\",\"item\":\"" + item + "\",\"type\":\"click\"}";
  }

  /** A POST with an explicit Content-Type (TestServers.call sends none). */
  private static Reply post(String contentType, String body) throws Exception {
    return post("", contentType, body);
  }

  private static Reply post(String query, String contentType, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/events" + query))
        .header("Authorization", "Bearer " + INGEST).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), TestServers.JSON.readTree(r.body()), r.body());
  }

  @Test
  void aJsonLinesBodySentAsJsonIsRefusedWithTheOffsetAndNothingStored() throws Exception {
    long before = server.store().count();
    String first = event("tl-1", "i1");
    Reply r = post("application/json", first + "\n" + event("tl-2", "i2") + "\n");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().path("error").asText()).isEqualTo("trailing_content");
    assertThat(r.body().path("message").asText()).contains("byte " + (first.length() + 1))
        .contains("line 2, column 1").contains("nothing was stored").contains(NDJSON);
    assertThat(r.body().path("details").get(0).path("offset").asLong()).isEqualTo(first.length() + 1);
    assertThat(server.store().count()).isEqualTo(before);
  }

  @Test
  void twoArraysBackToBackAreRefusedAndAValueWithOnlyWhitespaceAfterItIsFine() throws Exception {
    long before = server.store().count();
    String array = "[" + event("ta-1", "i1") + "]";
    Reply twoArrays = call(server, "POST", "/v1/events", INGEST, array + array);
    assertThat(twoArrays.status()).isEqualTo(400);
    assertThat(twoArrays.body().path("details").get(0).path("offset").asLong()).isEqualTo(array.length());
    Reply garbage = call(server, "POST", "/v1/events", INGEST, array + " x");
    assertThat(garbage.status()).isEqualTo(400);
    assertThat(garbage.body().path("error").asText()).isEqualTo("trailing_content");
    assertThat(garbage.body().path("details").get(0).path("offset").asLong()).isEqualTo(array.length() + 1);
    assertThat(server.store().count()).isEqualTo(before);
    Reply padded = call(server, "POST", "/v1/events", INGEST, "\n " + array + " \r\n\t ");
    assertThat(padded.status()).isEqualTo(200);
    assertThat(padded.body().path("stored").asInt()).isEqualTo(1);
  }

  @Test
  void theBasketQueryIsAlsoOneValue() {
    Reply r = call(server, "POST", "/v1/recommendations", READ, "{\"items\":[\"i1\"]}{\"items\":[\"i2\"]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().path("error").asText()).isEqualTo("trailing_content");
  }

  @Test
  void jsonLinesStoresEveryLineAndIgnoresBlankOnes() throws Exception {
    long before = server.store().count();
    String body = event("nd-1", "i1") + "\r\n\n   \n" + event("nd-2", "i2") + "\n" + event("nd-3", "i3");
    Reply r = post(NDJSON + "; charset=utf-8", body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.body().path("stored").asInt()).isEqualTo(3);
    assertThat(server.store().count()).isEqualTo(before + 3);
    TestServers.awaitOffset(server, r.body().path("last_offset").asLong());
    Reply recs = call(server, "GET", "/v1/users/nd-2/recommendations?k=3", READ, null);
    assertThat(recs.body().path("fallback").asBoolean()).as("the learner saw the line's event").isFalse();
  }

  @Test
  void anInvalidLineRejectsTheWholeBodyNamingEachLineUnlessPartial() throws Exception {
    long before = server.store().count();
    String body = event("nl-1", "i1") + "\n\n" + "{\"user\":\"nl-2\",\"item\":\"i2\",\"type\":\"clik\"}\n"
        + "{\"user\":\"nl-3\",\"item\":\"i3\",\"type\":\"click\"} {}\n" + "{not json\n" + event("nl-4", "i4") + "\n";
    Reply whole = post(NDJSON, body);
    assertThat(whole.status()).isEqualTo(400);
    assertThat(whole.body().path("error").asText()).isEqualTo("invalid_events");
    assertThat(whole.body().path("message").asText()).contains("3 of 5 events are invalid; none were stored");
    JsonNode details = whole.body().path("details");
    assertThat(details).hasSize(3);
    assertThat(details.get(0).path("line").asInt()).isEqualTo(3);
    assertThat(details.get(0).path("field").asText()).isEqualTo("type");
    assertThat(details.get(1).path("line").asInt()).isEqualTo(4);
    assertThat(details.get(1).path("message").asText()).contains("more than one JSON value on the line");
    assertThat(details.get(2).path("line").asInt()).isEqualTo(5);
    assertThat(details.get(2).path("message").asText()).startsWith("malformed JSON");
    assertThat(server.store().count()).as("atomic: nothing stored").isEqualTo(before);

    Reply partial = post("?partial=true", NDJSON, body);
    assertThat(partial.status()).isEqualTo(200);
    assertThat(partial.body().path("stored").asInt()).isEqualTo(2);
    assertThat(partial.body().path("rejected").asInt()).isEqualTo(3);
    assertThat(partial.body().path("errors").get(0).path("line").asInt()).isEqualTo(3);
    assertThat(server.store().count()).isEqualTo(before + 2);
  }

  @Test
  void aJsonLinesBodyWithNoEventsOrTooManyLinesIsRefused() throws Exception {
    Reply blank = post(NDJSON, "\n  \n");
    assertThat(blank.status()).isEqualTo(400);
    assertThat(blank.body().path("message").asText()).contains("no events");
    String line = event("big", "i1") + "\n";
    Reply tooMany = post(NDJSON, line.repeat(10_001));
    assertThat(tooMany.status()).isEqualTo(413);
    assertThat(tooMany.body().path("error").asText()).isEqualTo("batch_too_large");
  }
}
