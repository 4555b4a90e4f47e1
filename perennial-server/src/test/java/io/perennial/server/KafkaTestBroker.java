package io.perennial.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker in this JVM, in KRaft mode (one combined broker and controller), from
 * Kafka's own test kit: listening on loopback, its logs in a temporary folder deleted on close.
 */
final class KafkaTestBroker implements AutoCloseable {

  private final KafkaClusterTestKit cluster;

  private KafkaTestBroker(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  static KafkaTestBroker start() throws Exception {
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("auto.create.topics.enable", "false")
        .build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return new KafkaTestBroker(cluster);
  }

  String bootstrap() {
    return cluster.bootstrapServers();
  }

  void createTopic(String name, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** A producer that loses nothing on a loaded machine: idempotent, one request in flight, long timeouts. */
  KafkaProducer<byte[], byte[]> rawProducer() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap());
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("max.in.flight.requests.per.connection", "1");
    p.put("request.timeout.ms", "60000");
    p.put("delivery.timeout.ms", "300000");
    p.put("linger.ms", "5");
    return new KafkaProducer<>(p);
  }

  TestProducer producer() {
    return new TestProducer(rawProducer());
  }

  /** Sends records and, on close, fails unless the broker acknowledged every one. */
  static final class TestProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();

    TestProducer(KafkaProducer<byte[], byte[]> producer) {
      this.producer = producer;
    }

    /** Sends {@code value} keyed by {@code key} ({@code null}: none) to {@code partition} ({@code null}: by key). */
    void send(String topic, Integer partition, String key, String value) {
      sent.add(producer.send(new ProducerRecord<>(topic, partition, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
          value == null ? null : value.getBytes(StandardCharsets.UTF_8))));
    }

    @Override
    public void close() throws Exception {
      producer.flush();
      for (var f : sent) {
        f.get(300, TimeUnit.SECONDS);
      }
      producer.close();
    }
  }

  /** Every record of {@code topic}, read from the beginning until {@code count} arrived or 30 s passed. */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int count) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap());
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      long deadline = System.currentTimeMillis() + 30_000;
      List<TopicPartition> partitions = new ArrayList<>();
      while (partitions.isEmpty() && System.currentTimeMillis() < deadline) {
        c.partitionsFor(topic, Duration.ofSeconds(5)).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      while (out.size() < count && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  Set<String> topics() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
