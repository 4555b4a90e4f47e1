package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.server.kafka.KafkaSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 a server consuming Kafka while records keep arriving, over several cycles: in the end
 * every record is stored exactly once. {@code -Dperennial.kafka.killCycles=20} runs the 20-cycle
 * version (docs/BENCHMARKS.md); the suite runs 3.
 */
class KafkaKillRecoveryTest {

  /** The learner's lag does not pause consumption here: the test is about the store, not back-pressure. */
  static final long NO_LEARNER_LIMIT = 100_000_000;

  @TempDir Path dir;

  private Process launch(String bootstrap, String topic) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), KafkaKillTarget.class.getName(), dir.toString(), bootstrap, topic);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    return pb.start();
  }

  private static void awaitPort(Process p) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("PORT ")) {
        return;
      }
    }
    throw new AssertionError("the server process exited before listening");
  }

  @Test
  void killingTheServerDuringBatchesLosesNoRecordAndStoresNoneTwice() throws Exception {
    int cycles = Integer.getInteger("perennial.kafka.killCycles", 3);
    String topic = "events-kill";
    try (KafkaTestBroker broker = KafkaTestBroker.start()) {
      broker.createTopic(topic, 4);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger sent = new AtomicInteger();
      AtomicReference<Exception> sendError = new AtomicReference<>();
      Thread producerThread = new Thread(() -> {
        try (KafkaProducer<byte[], byte[]> producer = broker.rawProducer()) {
          for (int n = 0; !stop.get(); n++) {
            String value = "{\"user\":\"u" + (n % 97) + "\",\"item\":\"x" + n + "\",\"type\":\"view\"}";
            producer.send(new ProducerRecord<>(topic, n % 4, null, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                (m, e) -> {
                  if (e != null) {
                    sendError.set(e);
                  }
                });
            sent.incrementAndGet();
            if (n % 50 == 49) {
              Thread.sleep(25); // about 2,000 records/s
            }
          }
          producer.flush();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "kill-test-producer");
      producerThread.start();
      SplittableRandom random = new SplittableRandom(15);
      int killedWhileBehind = 0;
      for (int cycle = 0; cycle < cycles; cycle++) {
        long t0 = System.nanoTime();
        Process p = launch(broker.bootstrap(), topic);
        awaitPort(p);
        System.err.printf("kill cycle %d: listening after %.1f s, %d records sent%n", cycle, (System.nanoTime() - t0) / 1e9, sent.get());
        Thread.sleep(300 + random.nextInt(1200));
        int before = storedCount();
        p.destroyForcibly().waitFor(); // SIGKILL, whatever it was doing
        killedWhileBehind += before < sent.get() ? 1 : 0;
      }
      stop.set(true);
      producerThread.join();
      assertThat(sendError.get()).as("every record acknowledged by the broker").isNull();
      int total = sent.get();
      try (PerennialServer server = TestServers.startWithKafka(dir, new KafkaSettings(broker.bootstrap(), topic,
          "perennial-kill", null, null, NO_LEARNER_LIMIT, Map.of()))) {
        long t0 = System.nanoTime();
        // the backlog of the last kill, at least 1,000 records a second on a loaded machine
        try {
          KafkaIngestTest.await(() -> storedCount() >= total, Math.max(60, total / 1000), total + " records stored");
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + " (" + storedCount() + " stored)", e);
        }
        System.err.printf("all %d records stored %.1f s after the last start%n", total, (System.nanoTime() - t0) / 1e9);
        Thread.sleep(300);
      }
      Map<String, Integer> counts = itemCounts();
      assertThat(killedWhileBehind).as("kills that landed while records were still arriving").isEqualTo(cycles);
      List<String> missing = new ArrayList<>();
      for (int n = 0; n < total; n++) {
        if (!counts.containsKey("x" + n)) {
          missing.add("x" + n);
        }
      }
      assertThat(missing).as("records lost").isEmpty();
      assertThat(counts).hasSize(total);
      assertThat(counts.values()).as("records stored twice").allMatch(c -> c == 1);
    }
  }

  private int storedCount() {
    return itemCounts().values().stream().mapToInt(Integer::intValue).sum();
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
      return Map.of();
    }
    return counts;
  }
}
