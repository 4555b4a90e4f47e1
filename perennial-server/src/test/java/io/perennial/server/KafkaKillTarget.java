package io.perennial.server;

import io.perennial.server.kafka.KafkaSettings;
import java.nio.file.Path;
import java.util.Map;

/** A server consuming Kafka in its own JVM, for the kill -9 test: prints its port, then serves until killed. */
public final class KafkaKillTarget {
  private KafkaKillTarget() {}

  /** Arguments: data directory, bootstrap servers, topic. */
  public static void main(String[] args) throws Exception {
    KafkaSettings kafka = new KafkaSettings(args[1], args[2], "perennial-kill", null, null, KafkaKillRecoveryTest.NO_LEARNER_LIMIT,
        Map.of("reconnect.backoff.max.ms", "500", "max.poll.records", "500"));
    PerennialServer server = TestServers.startWithKafka(Path.of(args[0]), kafka);
    System.out.println("PORT " + server.port());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
