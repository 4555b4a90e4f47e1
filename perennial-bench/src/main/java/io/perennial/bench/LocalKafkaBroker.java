package io.perennial.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker on loopback for benchmarks on one machine: KRaft mode, one combined broker
 * and controller (Kafka's own test kit), its log in a temporary folder deleted at exit. Prints
 * {@code bootstrap HOST:PORT} and, given a file, writes the address there too; runs until stopped.
 * {@code LocalKafkaBroker [BOOTSTRAP-FILE]}.
 */
public final class LocalKafkaBroker {

  private LocalKafkaBroker() {}

  public static void main(String[] args) throws Exception {
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        cluster.close();
      } catch (Exception e) {
        System.err.println("closing the broker: " + e.getMessage());
      }
      stopped.countDown();
    }, "broker-shutdown"));
    String bootstrap = cluster.bootstrapServers();
    if (args.length > 0) {
      Path file = Path.of(args[0]);
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".bootstrap", ".tmp");
      Files.writeString(tmp, bootstrap + "\n");
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    System.out.println("bootstrap " + bootstrap);
    System.out.flush();
    stopped.await();
  }
}
