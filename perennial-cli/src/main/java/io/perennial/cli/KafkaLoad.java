package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** {@code bench serve --kafka-bootstrap}: the bench's topic and the producer that loads it, one record per event. */
final class KafkaLoad implements AutoCloseable {

  private final String topic;
  private final KafkaProducer<String, byte[]> producer;
  private final AtomicLong failed = new AtomicLong();

  private KafkaLoad(String topic, KafkaProducer<String, byte[]> producer) {
    this.topic = topic;
    this.producer = producer;
  }

  /** Creates {@code topic} with {@code partitions} partitions (replication 1) and a producer for it. */
  static KafkaLoad create(String bootstrap, String topic, int partitions) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", "10000",
        "default.api.timeout.ms", "20000"))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw new UserException("--kafka-bootstrap: cannot create the topic '" + topic + "' on " + bootstrap + ": "
          + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted while creating the topic");
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "perennial-bench");
    return new KafkaLoad(topic, new KafkaProducer<>(p));
  }

  /** Sends each event of a JSON array as one record keyed by its user; returns how many were sent. */
  int sendArray(String jsonArray) {
    JsonNode events;
    try {
      events = Json.MAPPER.readTree(jsonArray);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    for (JsonNode e : events) {
      send(e.path("user").asText(), null, e.toString());
    }
    return events.size();
  }

  /** One event for {@code user} stamped {@code timestampMillis} (the record's timestamp; the event's own is left out). */
  void sendProbe(String user, String item, long timestampMillis) {
    send(user, timestampMillis, "{\"user\":\"" + user + "\",\"item\":\"" + item + "\",\"type\":\"view\"}");
  }

  private void send(String key, Long timestampMillis, String value) {
    producer.send(new ProducerRecord<>(topic, null, timestampMillis, key, value.getBytes(StandardCharsets.UTF_8)),
        (m, e) -> {
          if (e != null) {
            failed.incrementAndGet();
          }
        });
  }

  /** Records the broker refused or never acknowledged. */
  long failed() {
    return failed.get();
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(10));
  }
}
