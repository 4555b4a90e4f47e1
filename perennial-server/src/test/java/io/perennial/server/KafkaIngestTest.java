package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.server.kafka.KafkaIngest;
import io.perennial.server.kafka.KafkaSettings;
import io.perennial.server.store.DataDirectory;
import io.perennial.server.store.EventStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code serve} with Kafka against a real KRaft broker in this JVM: no mocks of the broker. */
class KafkaIngestTest {

  private static KafkaTestBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaTestBroker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  private static KafkaSettings settings(String bootstrap, String topic, String servedTopic) {
    return new KafkaSettings(bootstrap, topic, "perennial-" + topic, null, servedTopic, 100_000,
        Map.of("reconnect.backoff.max.ms", "500"));
  }

  private static String event(int n) {
    return "{\"user\":\"u" + (n % 50) + "\",\"item\":\"x" + n + "\",\"type\":\"view\"}";
  }

  @Test
  void everyPartitionIsStoredExactlyOnceAndARestartResumesFromTheStoresOffsetsNotTheGroups() throws Exception {
    String topic = "events-restart";
    broker.createTopic(topic, 4);
    try (KafkaTestBroker.TestProducer producer = broker.producer()) {
      for (int n = 0; n < 2000; n++) {
        // every fourth event leaves the user to the record's key
        String value = n % 4 == 3 ? "{\"item\":\"x" + n + "\",\"type\":\"click\"}" : event(n);
        producer.send(topic, n % 4, "key-user-" + (n % 7), value);
      }
    }
    KafkaSettings kafka = settings(broker.bootstrap(), topic, null);
    try (PerennialServer server = TestServers.startWithKafka(dir, kafka)) {
      await(() -> itemCounts().size() == 2000, 60, "2000 events stored");
      assertThat(server.store().sourceOffsets(kafka.source())).isEqualTo(Map.of(0, 500L, 1, 500L, 2, 500L, 3, 500L));
      await(() -> groupOffsets(kafka.group()).values().stream().allMatch(o -> o == 500L), 30,
          "the group's offsets committed for monitoring");
      JsonNode stats = TestServers.call(server, "GET", "/v1/stats", TestServers.READ, null).body();
      assertThat(stats.path("kafka").path("records_stored").asLong()).isEqualTo(2000);
      assertThat(stats.path("kafka").path("partitions")).hasSize(4);
    }
    assertThat(usersOf("x3")).containsExactly("key-user-3");
    assertThat(usersOf("x0")).containsExactly("u0");
    // The group's offsets are only informational: rewound to 0, they must not make the server re-read.
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
      Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
      for (int p = 0; p < 4; p++) {
        zero.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
      }
      admin.alterConsumerGroupOffsets(kafka.group(), zero).all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaTestBroker.TestProducer producer = broker.producer()) {
      for (int n = 2000; n < 3000; n++) {
        producer.send(topic, null, "u" + (n % 50), event(n));
      }
    }
    try (PerennialServer server = TestServers.startWithKafka(dir, kafka)) {
      await(() -> itemCounts().size() == 3000, 60, "3000 events stored");
      Thread.sleep(500); // a re-read would have arrived by now
      Map<TopicPartition, Long> end = endOffsets(topic);
      Map<Integer, Long> expected = new HashMap<>();
      end.forEach((tp, o) -> expected.put(tp.partition(), o));
      assertThat(server.store().sourceOffsets(kafka.source())).isEqualTo(expected);
    }
    Map<String, Integer> counts = itemCounts();
    assertThat(counts).hasSize(3000);
    assertThat(counts.values()).as("no record stored twice").allMatch(c -> c == 1);
  }

  @Test
  void invalidRecordsGoToTheDeadLetterTopicWithReasonAndSourceAndNeverStopTheConsumer() throws Exception {
    String topic = "events-poison";
    broker.createTopic(topic, 2);
    try (KafkaTestBroker.TestProducer producer = broker.producer()) {
      producer.send(topic, 0, null, event(1));
      producer.send(topic, 0, null, "this is not JSON");
      producer.send(topic, 1, null, "{\"user\":\"u1\",\"item\":\"i1\",\"type\":\"teleport\"}");
      producer.send(topic, 1, null, event(2));
      producer.send(topic, 1, null, "{\"user\":\"u1\",\"type\":\"view\"}");
      producer.send(topic, 0, null, null);
      producer.send(topic, 0, null, event(3));
    }
    KafkaSettings kafka = settings(broker.bootstrap(), topic, null);
    try (PerennialServer server = TestServers.startWithKafka(dir, kafka)) {
      await(() -> itemCounts().size() == 3, 60, "the 3 valid events stored");
      List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(kafka.deadLetterTopic(), 4);
      assertThat(dead).hasSize(4);
      Map<String, Map<String, String>> byOffset = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : dead) {
        Map<String, String> h = new HashMap<>();
        for (Header header : r.headers()) {
          h.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        byOffset.put(h.get(KafkaIngest.HEADER_PARTITION) + "@" + h.get(KafkaIngest.HEADER_OFFSET), h);
        assertThat(h).containsEntry(KafkaIngest.HEADER_TOPIC, topic);
      }
      assertThat(byOffset).containsOnlyKeys("0@1", "1@0", "1@2", "0@2");
      assertThat(byOffset.get("0@1").get(KafkaIngest.HEADER_REASON)).contains("malformed JSON");
      assertThat(byOffset.get("1@0")).containsEntry(KafkaIngest.HEADER_FIELD, "type");
      assertThat(byOffset.get("1@0").get(KafkaIngest.HEADER_REASON)).contains("unknown interaction type");
      assertThat(byOffset.get("1@2")).containsEntry(KafkaIngest.HEADER_FIELD, "item")
          .containsEntry(KafkaIngest.HEADER_REASON, "required");
      assertThat(byOffset.get("0@2").get(KafkaIngest.HEADER_REASON)).contains("empty record");
      assertThat(server.store().sourceOffsets(kafka.source())).isEqualTo(Map.of(0, 4L, 1, 3L));
      String metrics = TestServers.call(server, "GET", "/metrics", TestServers.READ, null).text();
      assertThat(metrics).contains("perennial_kafka_records_total{outcome=\"dead_letter\",topic=\"" + topic + "\"} 4.0")
          .contains("perennial_kafka_records_total{outcome=\"stored\",topic=\"" + topic + "\"} 3.0");
      await(() -> metricsOf(server).contains("perennial_kafka_consumer_lag{partition=\"1\",topic=\"" + topic + "\"} 0.0"),
          30, "the lag gauge per partition");
      JsonNode kafkaStats = TestServers.call(server, "GET", "/v1/stats", TestServers.READ, null).body().path("kafka");
      assertThat(kafkaStats.path("dead_letters").asLong()).isEqualTo(4);
      assertThat(kafkaStats.path("state").asText()).isEqualTo("consuming");
    }
  }

  @Test
  void servedListsAndModelVersionsArePublishedWithTheRequestId() throws Exception {
    String topic = "events-served";
    String served = "served-lists";
    broker.createTopic(topic, 1);
    KafkaSettings kafka = settings(broker.bootstrap(), topic, served);
    try (PerennialServer server = TestServers.startWithKafka(dir, kafka)) {
      TestServers.awaitReady(server);
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.port() + "/v1/users/" + "u1" + "/recommendations?k=5"))
          .header("Authorization", "Bearer " + TestServers.READ).header("X-Request-Id", "req-42").GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode answer = TestServers.JSON.readTree(r.body());
      assertThat(answer.path("request_id").asText()).isEqualTo("req-42");
      JsonNode basket = TestServers.call(server, "POST", "/v1/recommendations", TestServers.READ,
          "{\"items\":[\"i1\",\"i2\"],\"k\":3}").body();
      assertThat(basket.path("request_id").asText()).hasSize(36); // a UUID when the client gave none
      List<JsonNode> records = new ArrayList<>();
      await(() -> {
        records.clear();
        for (ConsumerRecord<byte[], byte[]> c : broker.readAll(served, 3)) {
          records.add(readJson(c.value()));
        }
        return records.size() >= 3;
      }, 30, "the served topic's records");
      JsonNode version = records.stream().filter(j -> j.path("type").asText().equals("model_version")).findFirst().orElseThrow();
      assertThat(version.path("version").asLong()).isEqualTo(server.learner().served().version());
      JsonNode list = records.stream().filter(j -> j.path("request_id").asText().equals("req-42")).findFirst().orElseThrow();
      assertThat(list.path("type").asText()).isEqualTo("recommendations");
      assertThat(list.path("user").asText()).isEqualTo("u1");
      assertThat(list.path("model_version").asLong()).isEqualTo(answer.path("model").path("version").asLong());
      assertThat(list.path("items")).hasSize(5);
      for (int p = 0; p < 5; p++) {
        assertThat(list.path("items").get(p).path("position").asInt()).isEqualTo(p + 1);
        assertThat(list.path("items").get(p).path("item").asText()).isEqualTo(answer.path("items").get(p).path("item").asText());
      }
      assertThat(records).anyMatch(j -> j.path("request_id").asText().equals(basket.path("request_id").asText())
          && j.path("route").asText().equals("/v1/recommendations"));
    }
  }

  @Test
  void consumptionPausesWhileTheLearnerIsBehindAndResumesWhenItCatchesUp() throws Exception {
    String topic = "events-backpressure";
    broker.createTopic(topic, 2);
    try (KafkaTestBroker.TestProducer producer = broker.producer()) {
      for (int n = 0; n < 100; n++) {
        producer.send(topic, n % 2, null, event(n));
      }
    }
    AtomicLong learnerLag = new AtomicLong(1_000_000);
    KafkaSettings kafka = new KafkaSettings(broker.bootstrap(), topic, "g", null, null, 1000, Map.of());
    var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
      try (KafkaIngest ingest = new KafkaIngest(kafka, store, learnerLag::get, TestServers.JSON, meters).start()) {
        await(() -> "paused".equals(ingest.status().get("state")), 30, "paused for the learner");
        Thread.sleep(1500);
        assertThat(store.count()).as("nothing consumed while paused").isZero();
        learnerLag.set(400); // under half the limit
        await(() -> store.count() == 100, 30, "resumed");
        assertThat(ingest.status()).containsEntry("paused", false).containsEntry("pauses", 1L);
        learnerLag.set(5000);
        await(() -> Boolean.TRUE.equals(ingest.status().get("paused")), 30, "paused again");
      }
    }
  }

  @Test
  void anUnreachableBrokerAtStartIsRetriedWithAClearLogLineWhileTheHttpApiServes() throws Exception {
    String topic = "events-late-broker";
    broker.createTopic(topic, 2);
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Logger log = (Logger) LoggerFactory.getLogger(KafkaIngest.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    KafkaSettings kafka = settings("127.0.0.1:" + port, topic, null);
    try (PerennialServer server = TestServers.startWithKafka(dir, kafka)) {
      TestServers.awaitReady(server);
      await(() -> lines.list.stream().anyMatch(e -> e.getFormattedMessage().contains(
          "cannot reach the broker at 127.0.0.1:" + port)), 30, "the retry log line");
      assertThat(lines.list).anyMatch(e -> e.getFormattedMessage().contains("the HTTP API keeps serving"));
      assertThat(TestServers.call(server, "GET", "/v1/users/u1/recommendations", TestServers.READ, null).status())
          .isEqualTo(200);
      assertThat(TestServers.call(server, "POST", "/v1/events", TestServers.INGEST,
          "{\"user\":\"h\",\"item\":\"http-item\",\"type\":\"view\"}").status()).isEqualTo(200);
      assertThat(TestServers.call(server, "GET", "/v1/stats", TestServers.READ, null).body()
          .path("kafka").path("state").asText()).isEqualTo("broker unavailable");
      try (KafkaTestBroker.TestProducer producer = broker.producer()) {
        for (int n = 0; n < 10; n++) {
          producer.send(topic, n % 2, null, event(n));
        }
      }
      // the broker "comes up" on the address the server was given
      try (Forwarder forwarder = new Forwarder(port, broker.bootstrap())) {
        await(() -> itemCounts().size() == 10, 60, "the 10 events once the broker answers");
      }
    } finally {
      log.detachAppender(lines);
    }
  }

  private static JsonNode readJson(byte[] value) {
    try {
      return TestServers.JSON.readTree(value);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String metricsOf(PerennialServer server) {
    return TestServers.call(server, "GET", "/metrics", TestServers.READ, null).text();
  }

  private Map<String, Integer> itemCounts() {
    Map<String, Integer> counts = new HashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("perennial.db"));
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT item_id, count(*) FROM events WHERE item_id LIKE 'x%' GROUP BY item_id")) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getInt(2));
      }
    } catch (java.sql.SQLException e) {
      return Map.of(); // not created yet
    }
    return counts;
  }

  private List<String> usersOf(String item) throws Exception {
    List<String> users = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("perennial.db"));
        var ps = c.prepareStatement("SELECT user_id FROM events WHERE item_id = ?")) {
      ps.setString(1, item);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          users.add(rs.getString(1));
        }
      }
    }
    return users;
  }

  private static Map<TopicPartition, Long> groupOffsets(String group) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
      Map<TopicPartition, Long> out = new HashMap<>();
      admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
          .forEach((tp, o) -> out.put(tp, o == null ? -1 : o.offset()));
      return out.isEmpty() ? Map.of(new TopicPartition("none", 0), -1L) : out;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
      Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
      for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()) {
        ask.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> out = new HashMap<>();
      admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS).forEach((tp, r) -> out.put(tp, r.offset()));
      return out;
    }
  }

  static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  /** Forwards connections from a loopback port to the broker: the broker appearing where it was expected. */
  private static final class Forwarder implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

    Forwarder(int port, String target) throws IOException {
      server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
      String[] hostPort = target.split(",")[0].split(":");
      Thread accept = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket in = server.accept();
            Socket out = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
            sockets.add(in);
            sockets.add(out);
            pipe(in, out);
            pipe(out, in);
          } catch (IOException e) {
            return;
          }
        }
      }, "test-forwarder");
      accept.setDaemon(true);
      accept.start();
    }

    private static void pipe(Socket from, Socket to) {
      Thread t = new Thread(() -> {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          in.transferTo(out);
        } catch (IOException ignored) {
          // a side closed
        }
      }, "test-forwarder-pipe");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
