package io.perennial.server.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.perennial.server.http.ServedLog;
import io.perennial.server.learn.ServedModel;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what the server served to a Kafka topic, so that feedback (a click, a purchase) can be
 * attributed to the list the user was shown: one JSON record per recommendation answer ({@code
 * "type": "recommendations"}: request id, route, user, model version, fallback, and the items with
 * their positions and scores), keyed by the user (or the item of a similar-items request), and one
 * per change of the served model ({@code "type": "model_version"}).
 *
 * <p>Request threads only queue the answer (a bounded queue; when it is full the answer is dropped
 * and counted, never waited for), and one thread of its own sends, so a slow or absent broker
 * never slows a recommendation.
 */
public final class ServedPublisher implements ServedLog, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServedPublisher.class);
  private static final int QUEUE = 20_000;

  private final KafkaSettings settings;
  private final String topic;
  private final ObjectMapper json;
  private final Supplier<ServedModel> servedModel;
  private final KafkaProducer<String, byte[]> producer;
  private final BlockingQueue<Served> queue = new ArrayBlockingQueue<>(QUEUE);
  private final Counter published;
  private final Counter dropped;
  private final Counter failed;
  private final Thread thread;
  private volatile boolean running = true;
  private long lastVersion = Long.MIN_VALUE;
  private long lastFailureLog;

  /**
   * A publisher to {@code settings.servedTopic()}, started at once.
   *
   * @param servedModel the model being served (watched for version changes)
   */
  public ServedPublisher(KafkaSettings settings, ObjectMapper json, Supplier<ServedModel> servedModel,
      MeterRegistry meters) {
    this.settings = settings;
    this.topic = settings.servedTopic();
    this.json = json;
    this.servedModel = servedModel;
    Properties p = new Properties();
    p.putAll(settings.clientProperties());
    p.put("bootstrap.servers", settings.bootstrap());
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "perennial-served");
    p.putIfAbsent("reconnect.backoff.max.ms", "10000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    this.producer = new KafkaProducer<>(p);
    published = Counter.builder("perennial.kafka.served").tag("topic", topic).tag("outcome", "published")
        .description("served lists and model versions for the served topic, by outcome").register(meters);
    dropped = Counter.builder("perennial.kafka.served").tag("topic", topic).tag("outcome", "dropped")
        .description("served lists and model versions for the served topic, by outcome").register(meters);
    failed = Counter.builder("perennial.kafka.served").tag("topic", topic).tag("outcome", "failed")
        .description("served lists and model versions for the served topic, by outcome").register(meters);
    thread = new Thread(this::run, "perennial-kafka-served");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void served(Served served) {
    if (!queue.offer(served)) {
      dropped.increment();
    }
  }

  private void run() {
    KafkaIngest.ensureTopic(settings, topic, "served", "served lists are dropped (and counted) until it can be written");
    while (running || !queue.isEmpty()) {
      try {
        publishVersionChange();
        Served s = queue.poll(100, TimeUnit.MILLISECONDS);
        if (s != null) {
          send(s.user() != null ? s.user() : s.subject() != null ? s.subject() : s.requestId(), recommendations(s));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // a record that cannot be sent is counted and logged; publishing goes on
        failure(e);
      }
    }
  }

  private void publishVersionChange() {
    ServedModel m = servedModel.get();
    if (m == null || m.version() == lastVersion) {
      return;
    }
    ObjectNode o = json.createObjectNode();
    o.put("type", "model_version");
    o.put("version", m.version());
    if (lastVersion == Long.MIN_VALUE) {
      o.putNull("previous");
    } else {
      o.put("previous", lastVersion);
    }
    o.put("model_type", m.model().type());
    o.put("time", System.currentTimeMillis());
    lastVersion = m.version();
    send("model", o);
  }

  private ObjectNode recommendations(Served s) {
    ObjectNode o = json.createObjectNode();
    o.put("type", "recommendations");
    o.put("request_id", s.requestId());
    o.put("route", s.route());
    o.put("user", s.user());
    o.put("item", s.subject());
    o.put("model_version", s.modelVersion());
    o.put("fallback", s.fallback());
    o.put("time", s.timeMillis());
    ArrayNode items = o.putArray("items");
    for (int p = 0; p < s.items().length; p++) {
      ObjectNode item = items.addObject();
      item.put("item", s.items()[p]);
      item.put("position", p + 1);
      item.put("score", s.scores()[p]);
    }
    return o;
  }

  private void send(String key, ObjectNode value) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      bytes = value.toString().getBytes(StandardCharsets.UTF_8);
    }
    producer.send(new ProducerRecord<>(topic, key, bytes), (metadata, e) -> {
      if (e == null) {
        published.increment();
      } else {
        failure(e);
      }
    });
  }

  private void failure(Exception e) {
    failed.increment();
    long now = System.currentTimeMillis();
    if (now - lastFailureLog > 10_000) {
      lastFailureLog = now;
      LOG.warn("Kafka: publishing to the served topic '{}' failed: {} (counted in perennial_kafka_served_total)",
          topic, e.getMessage());
    }
  }

  /** Sends what is queued (waiting up to 10 s for the broker), then closes the producer. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      producer.close(java.time.Duration.ofSeconds(10));
    } catch (KafkaException e) {
      LOG.warn("Kafka: closing the served-topic producer: {}", e.getMessage());
    }
  }
}
