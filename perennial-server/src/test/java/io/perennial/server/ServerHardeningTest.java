package io.perennial.server;

import static io.perennial.server.TestServers.READ;
import static io.perennial.server.TestServers.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.perennial.server.TestServers.Reply;
import io.perennial.server.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The server's edges over real HTTP: the OpenAPI document, query escapes, CONNECT, oversized
 * bodies, JSON numbers.
 */
class ServerHardeningTest {

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
  void theOpenApiDocumentTypesParametersAndDescribesBodies() {
    JsonNode doc = call(server, "GET", "/openapi.json", READ, null).body();
    JsonNode recs = doc.path("paths").path("/v1/users/{id}/recommendations").path("get");
    JsonNode k = param(recs, "k");
    assertThat(k.path("schema").path("type").asText()).isEqualTo("integer");
    assertThat(k.path("schema").path("minimum").asInt()).isEqualTo(1);
    assertThat(k.path("schema").path("maximum").asInt()).isEqualTo(1000);
    assertThat(k.path("schema").path("default").asInt()).isEqualTo(10);
    assertThat(param(recs, "excludeSeen").path("schema").path("type").asText()).isEqualTo("boolean");
    assertThat(param(recs, "items").path("schema").path("type").asText()).isEqualTo("array");
    assertThat(recs.path("responses").path("200").path("content").path("application/json").path("schema")
        .path("$ref").asText()).isEqualTo("#/components/schemas/UserRecommendations");
    assertThat(param(doc.path("paths").path("/v1/users/{id}/recommendations/{item}/explain").path("get"), "k")
        .path("schema").path("maximum").asInt()).isEqualTo(100);

    JsonNode ingest = doc.path("paths").path("/v1/events").path("post");
    JsonNode content = ingest.path("requestBody").path("content");
    assertThat(content.path("application/json").path("schema").path("$ref").asText())
        .isEqualTo("#/components/schemas/EventBatch");
    assertThat(content.has("application/x-ndjson")).as("JSON Lines listed").isTrue();
    assertThat(param(ingest, "partial").path("schema").path("type").asText()).isEqualTo("boolean");

    JsonNode schemas = doc.path("components").path("schemas");
    // every $ref points at a schema that exists
    doc.findValues("$ref").forEach(ref -> assertThat(schemas.has(ref.asText().replace("#/components/schemas/", "")))
        .as(ref.asText()).isTrue());
    JsonNode event = schemas.path("Event");
    assertThat(event.path("required")).extracting(JsonNode::asText).contains("user", "item", "type");
    assertThat(event.path("properties").path("timestamp").path("type").asText()).isEqualTo("integer");
    assertThat(event.path("properties").path("value").path("type").asText()).isEqualTo("number");
    assertThat(event.path("properties").path("type").path("enum")).extracting(JsonNode::asText).contains("purchase");
    assertThat(schemas.path("ScoredItem").path("properties").path("score").path("nullable").asBoolean()).isTrue();
    assertThat(schemas.path("IngestResult").path("properties").path("stored").path("type").asText()).isEqualTo("integer");
  }

  private static JsonNode param(JsonNode operation, String name) {
    for (JsonNode p : operation.path("parameters")) {
      if (p.path("name").asText().equals(name)) {
        return p;
      }
    }
    throw new AssertionError("no parameter " + name + " in " + operation);
  }

  @Test
  void aMalformedPercentEscapeIsA400NamingTheParameter() throws Exception {
    Reply k = rawGet("/v1/users/u1/recommendations?k=%zz");
    assertThat(k.status()).isEqualTo(400);
    assertThat(k.body().path("details").get(0).path("field").asText()).isEqualTo("k");
    assertThat(k.body().path("message").asText()).contains("%-escape");
    Reply items = rawGet("/v1/users/u1/recommendations?k=3&items=i1,%zz");
    assertThat(items.status()).isEqualTo(400);
    assertThat(items.body().path("details").get(0).path("field").asText()).isEqualTo("items");
    Reply truncated = rawGet("/v1/items/i1/similar?k=3&exclude=i2%2");
    assertThat(truncated.status()).isEqualTo(400);
    assertThat(truncated.body().path("details").get(0).path("field").asText()).isEqualTo("exclude");
    Reply wellFormed = call(server, "GET", "/v1/users/u1/recommendations?k=3&items=i1%2Ci2%2Ci3", READ, null);
    assertThat(wellFormed.status()).isEqualTo(200);
    assertThat(wellFormed.body().path("items")).hasSizeLessThanOrEqualTo(3).isNotEmpty();
    wellFormed.body().path("items").forEach(i -> assertThat(i.path("item").asText()).isIn("i1", "i2", "i3"));
  }

  @Test
  void connectIsAnsweredAndTheConnectionClosed() throws Exception {
    String answer = raw("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 405");
    assertThat(answer).contains("method_not_allowed");
  }

  /**
   * Sends {@code request} on a raw socket and reads until the server closes it. A server that
   * holds the connection fails the read timeout instead of hanging the test.
   */
  private static String raw(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          answer.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server held the connection open; got so far: "
            + answer.toString(StandardCharsets.US_ASCII));
      }
      return answer.toString(StandardCharsets.US_ASCII);
    }
  }

  /** A GET whose target is sent as is (java.net.URI refuses malformed escapes); the status and JSON body. */
  private static Reply rawGet(String target) throws Exception {
    String answer = raw("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + READ
        + "\r\nConnection: close\r\n\r\n");
    int status = Integer.parseInt(answer.substring(9, 12));
    String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
    return new Reply(status, TestServers.JSON.readTree(body), body);
  }

  @Test
  void anOversizedBodyIs413WithoutALogLinePerRequest() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try {
      for (int i = 0; i < 3; i++) {
        Reply r = call(server, "POST", "/v1/events", TestServers.INGEST, "x".repeat(2 << 20));
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body().path("error").asText()).isEqualTo("body_too_large");
      }
    } finally {
      root.detachAppender(logged);
    }
    assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("max size"));
  }

  @Test
  void nonFiniteNumbersAreWrittenAsNull() throws Exception {
    ObjectMapper json = HttpServer.mapper();
    ObjectNode tree = json.createObjectNode();
    tree.put("score", Float.NaN);
    tree.put("weight", Double.POSITIVE_INFINITY);
    tree.put("finite", 1.5f);
    assertThat(json.writeValueAsString(tree)).isEqualTo("{\"score\":null,\"weight\":null,\"finite\":1.5}");
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("hr10", Double.NaN);
    map.put("lag", Float.NEGATIVE_INFINITY);
    assertThat(json.writeValueAsString(map)).isEqualTo("{\"hr10\":null,\"lag\":null}");
  }
}
