package io.perennial.server.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.perennial.server.http.EventRecords;
import io.perennial.server.store.AppendResult;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.NewEvent;
import io.perennial.server.store.SourceOffsets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes events from every partition of a Kafka topic into the {@link EventStore}, exactly once.
 *
 * <p>The partitions are assigned to this consumer, not balanced by the group: one store takes the
 * whole topic. Each polled batch is appended with the next offset of every partition it covers in
 * the same SQLite transaction ({@link SourceOffsets}); on start, and after any failure, the
 * consumer seeks to those stored offsets. A kill at any moment therefore leaves the store with
 * exactly the records before its stored offsets: none lost, none twice. The group's committed
 * offsets are written after each store commit for monitoring tools only.
 *
 * <p>A record that is not a valid event (not JSON, failing the same validation as {@code POST
 * /v1/events}) goes to the dead-letter topic with the reason and its source topic, partition and
 * offset as headers, and is counted; its offset is stored like any other, so it is never retried.
 * Dead letters are acknowledged by the broker before the batch's offsets are stored, so a crash
 * may send one twice but never loses one.
 *
 * <p>Back-pressure: the consumer waits for each store commit before it polls again, and pauses
 * every partition while the learner is more than {@link KafkaSettings#maxLearnerLag} events
 * behind the store (or the store's write queue is long), resuming at half of it; polling goes on
 * while paused, so the group membership and broker connections stay alive.
 *
 * <p>When the broker cannot be reached (at start or later), the consumer retries with a growing
 * delay, logging one line per attempt; the HTTP API is not affected.
 */
public final class KafkaIngest implements AutoCloseable {

  /** Header names on dead-letter records. */
  public static final String HEADER_REASON = "perennial.error";
  public static final String HEADER_FIELD = "perennial.error.field";
  public static final String HEADER_TOPIC = "perennial.source.topic";
  public static final String HEADER_PARTITION = "perennial.source.partition";
  public static final String HEADER_OFFSET = "perennial.source.offset";

  private static final Logger LOG = LoggerFactory.getLogger(KafkaIngest.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long MAX_RETRY_MILLIS = 30_000;
  private static final long LAG_EVERY_MILLIS = 2_000;
  private static final long PARTITIONS_EVERY_MILLIS = 30_000;
  private static final int STORE_QUEUE_PAUSE = 64;
  private static final int STORE_QUEUE_RESUME = 16;

  private final KafkaSettings settings;
  private final EventStore store;
  private final LongSupplier learnerLag;
  private final ObjectMapper json;
  private final MeterRegistry meters;
  private final Thread thread;
  private final Counter stored;
  private final Counter duplicates;
  private final Counter deadLetters;
  private final Timer recordToStore;
  private final Map<Integer, Long> nextOffsets = new ConcurrentHashMap<>();
  private final Map<Integer, Long> lags = new ConcurrentHashMap<>();
  private final Set<Integer> lagGauges = ConcurrentHashMap.newKeySet();
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile String state = "starting";
  private volatile boolean paused;
  private volatile String lastError;
  private volatile long pauses;
  private double lastRecords;
  private long lastSampleNanos = System.nanoTime();

  /**
   * A consumer for {@code settings}, not yet started.
   *
   * @param learnerLag events the learner is behind the store (read before each poll)
   * @param meters where its meters go ({@code /metrics})
   */
  public KafkaIngest(KafkaSettings settings, EventStore store, LongSupplier learnerLag, ObjectMapper json,
      MeterRegistry meters) {
    this.settings = settings;
    this.store = store;
    this.learnerLag = learnerLag;
    this.json = json;
    this.meters = meters;
    String topic = settings.topic();
    stored = Counter.builder("perennial.kafka.records").tag("topic", topic).tag("outcome", "stored")
        .description("Kafka records consumed, by outcome").register(meters);
    duplicates = Counter.builder("perennial.kafka.records").tag("topic", topic).tag("outcome", "duplicate")
        .description("Kafka records consumed, by outcome").register(meters);
    deadLetters = Counter.builder("perennial.kafka.records").tag("topic", topic).tag("outcome", "dead_letter")
        .description("Kafka records consumed, by outcome").register(meters);
    recordToStore = Timer.builder("perennial.kafka.record_to_store")
        .description("from a record's timestamp to its event's commit in the store")
        .tag("topic", topic).publishPercentileHistogram()
        .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofSeconds(1)).register(meters);
    Gauge.builder("perennial.kafka.consumer.paused", this, k -> k.paused ? 1 : 0).tag("topic", topic)
        .description("1 while consumption is paused for back-pressure").register(meters);
    thread = new Thread(this::run, "perennial-kafka-ingest");
    thread.setDaemon(true);
  }

  /** Starts consuming on a thread of its own; returns at once, whether or not the broker is up. */
  public KafkaIngest start() {
    thread.start();
    return this;
  }

  /** What the consumer is doing and how far it is, for {@code GET /v1/stats}. */
  public Map<String, Object> status() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("state", state);
    out.put("bootstrap", settings.bootstrap());
    out.put("topic", settings.topic());
    out.put("group", settings.group());
    out.put("dead_letter_topic", settings.deadLetterTopic());
    out.put("paused", paused);
    out.put("pauses", pauses);
    out.put("records_stored", (long) stored.count());
    out.put("records_duplicate", (long) duplicates.count());
    out.put("dead_letters", (long) deadLetters.count());
    List<Map<String, Object>> partitions = new ArrayList<>();
    for (Map.Entry<Integer, Long> p : new TreeMap<>(nextOffsets).entrySet()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("partition", p.getKey());
      one.put("next_offset", p.getValue());
      one.put("lag", lags.get(p.getKey()));
      partitions.add(one);
    }
    out.put("partitions", partitions);
    out.put("last_error", lastError);
    return out;
  }

  /** The dashboard's figures since the previous call: records/s, total lag, dead letters. */
  public synchronized Map<String, Object> sample() {
    long now = System.nanoTime();
    double records = stored.count() + duplicates.count() + deadLetters.count();
    double rate = (records - lastRecords) / Math.max(1e-9, (now - lastSampleNanos) / 1e9);
    lastRecords = records;
    lastSampleNanos = now;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kafka_records_per_s", rate);
    out.put("kafka_lag", lags.values().stream().mapToLong(Long::longValue).sum());
    out.put("kafka_dead_letters", (long) deadLetters.count());
    return out;
  }

  private void run() {
    long retryMillis = 1_000;
    while (running) {
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProperties())) {
        consumer = c;
        if (!running) {
          return;
        }
        List<TopicPartition> partitions = awaitPartitions(c);
        if (partitions == null) {
          return;
        }
        ensureDeadLetterTopic();
        retryMillis = 1_000;
        try (KafkaProducer<byte[], byte[]> deadLetterProducer = new KafkaProducer<>(producerProperties())) {
          consume(c, deadLetterProducer, partitions);
        }
      } catch (WakeupException | InterruptException e) {
        if (!running) {
          return;
        }
        fail("interrupted", e);
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        fail(e.getMessage(), e);
        LOG.warn("Kafka ingest from '{}' stopped: {}; reconnecting in {} s and resuming from the store's offsets",
            settings.topic(), describe(e), retryMillis / 1000);
        sleep(retryMillis);
        retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
      } finally {
        consumer = null;
      }
    }
  }

  /** The topic's partitions once the broker answers and the topic exists; {@code null} when closed first. */
  private List<TopicPartition> awaitPartitions(KafkaConsumer<byte[], byte[]> c) {
    long retryMillis = 1_000;
    while (running) {
      state = "connecting";
      try {
        List<PartitionInfo> infos = c.partitionsFor(settings.topic(), Duration.ofSeconds(5));
        if (infos != null && !infos.isEmpty()) {
          List<TopicPartition> partitions = new ArrayList<>();
          for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
          }
          partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
          LOG.info("Kafka: consuming '{}' ({} partitions) from {} into the store", settings.topic(), partitions.size(),
              settings.bootstrap());
          return partitions;
        }
        state = "waiting for the topic";
        lastError = "topic '" + settings.topic() + "' does not exist";
        LOG.warn("Kafka: topic '{}' does not exist on {}; checking again in {} s (the HTTP API keeps serving)",
            settings.topic(), settings.bootstrap(), retryMillis / 1000);
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        state = "broker unavailable";
        lastError = "cannot reach the Kafka broker at " + settings.bootstrap();
        LOG.warn("Kafka: cannot reach the broker at {} ({}); retrying in {} s (the HTTP API keeps serving)",
            settings.bootstrap(), describe(e), retryMillis / 1000);
      }
      sleep(retryMillis);
      retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
    }
    return null;
  }

  private void consume(KafkaConsumer<byte[], byte[]> c, KafkaProducer<byte[], byte[]> deadLetterProducer,
      List<TopicPartition> partitions) {
    assign(c, partitions);
    long lastLag = 0;
    long lastPartitionCheck = System.currentTimeMillis();
    paused = false;
    state = "consuming";
    lastError = null;
    while (running) {
      applyBackPressure(c);
      ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
      if (!records.isEmpty()) {
        storeBatch(c, deadLetterProducer, records);
      }
      long now = System.currentTimeMillis();
      if (now - lastLag >= LAG_EVERY_MILLIS) {
        updateLags(c);
        lastLag = now;
      }
      if (now - lastPartitionCheck >= PARTITIONS_EVERY_MILLIS) {
        lastPartitionCheck = now;
        List<PartitionInfo> infos = c.partitionsFor(settings.topic(), Duration.ofSeconds(5));
        if (infos != null && infos.size() > c.assignment().size()) {
          List<TopicPartition> grown = new ArrayList<>();
          infos.forEach(i -> grown.add(new TopicPartition(i.topic(), i.partition())));
          LOG.info("Kafka: topic '{}' grew to {} partitions; consuming the new ones too", settings.topic(), grown.size());
          assign(c, grown);
        }
      }
    }
  }

  /** Assigns every partition and seeks each to the store's next offset (its beginning when never stored). */
  private void assign(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
    c.assign(partitions);
    Map<Integer, Long> storedOffsets = store.sourceOffsets(settings.source());
    Map<TopicPartition, Long> beginning = c.beginningOffsets(partitions, Duration.ofSeconds(30));
    Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(30));
    for (TopicPartition tp : partitions) {
      long first = beginning.getOrDefault(tp, 0L);
      long last = end.getOrDefault(tp, 0L);
      Long next = storedOffsets.get(tp.partition());
      long seek;
      if (next == null) {
        seek = first;
      } else if (next < first) {
        LOG.warn("Kafka: records {}..{} of {} were deleted by the topic's retention before they were stored; "
            + "resuming at {}", next, first - 1, tp, first);
        seek = first;
      } else if (next > last) {
        LOG.warn("Kafka: the store has read {} up to offset {}, beyond its end {} (was the topic recreated?); "
            + "resuming at {} so nothing is stored twice", tp, next, last, last);
        seek = last;
      } else {
        seek = next;
      }
      c.seek(tp, seek);
      nextOffsets.put(tp.partition(), seek);
      registerLagGauge(tp.partition());
    }
  }

  private void registerLagGauge(int partition) {
    if (lagGauges.add(partition)) {
      Gauge.builder("perennial.kafka.consumer.lag", lags, m -> m.getOrDefault(partition, 0L))
          .description("records in the partition not yet in the store")
          .tag("topic", settings.topic()).tag("partition", Integer.toString(partition)).register(meters);
    }
  }

  private void applyBackPressure(KafkaConsumer<byte[], byte[]> c) {
    long lag = learnerLag.getAsLong();
    int queued = store.queuedWrites();
    if (!paused && (lag > settings.maxLearnerLag() || queued > STORE_QUEUE_PAUSE)) {
      c.pause(c.assignment());
      paused = true;
      pauses++;
      state = "paused";
      LOG.info("Kafka: paused consuming '{}': {}", settings.topic(), lag > settings.maxLearnerLag()
          ? "the learner is " + lag + " events behind the store (limit " + settings.maxLearnerLag() + ")"
          : "the store has " + queued + " writes queued");
    } else if (paused && lag <= settings.maxLearnerLag() / 2 && queued <= STORE_QUEUE_RESUME) {
      c.resume(c.assignment());
      paused = false;
      state = "consuming";
      LOG.info("Kafka: resumed consuming '{}' (learner {} events behind)", settings.topic(), lag);
    }
  }

  private void storeBatch(KafkaConsumer<byte[], byte[]> c, KafkaProducer<byte[], byte[]> deadLetterProducer,
      ConsumerRecords<byte[], byte[]> records) {
    List<NewEvent> events = new ArrayList<>(records.count());
    List<Long> recordMillis = new ArrayList<>(records.count());
    Map<Integer, Long> next = new HashMap<>();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    long nowSeconds = System.currentTimeMillis() / 1000;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
      // an event without a timestamp happened when it was produced, not when it is read (a replay)
      long defaultSeconds = r.timestamp() >= 0 ? r.timestamp() / 1000 : nowSeconds;
      EventRecords.Outcome o = EventRecords.parse(json, r.value(), key, defaultSeconds);
      if (o.valid()) {
        events.add(o.event());
        recordMillis.add(r.timestamp());
      } else {
        sent.add(deadLetterProducer.send(deadLetter(r, o)));
      }
      next.put(r.partition(), r.offset() + 1);
    }
    if (!sent.isEmpty()) {
      deadLetterProducer.flush();
      for (Future<RecordMetadata> f : sent) {
        await(f, "sending a record to the dead-letter topic '" + settings.deadLetterTopic() + "'");
      }
    }
    AppendResult result = await(store.append(events, new SourceOffsets(settings.source(), next)),
        "storing " + events.size() + " events");
    long committed = System.currentTimeMillis();
    nextOffsets.putAll(next);
    stored.increment(result.stored());
    duplicates.increment(result.duplicates());
    deadLetters.increment(sent.size());
    for (long ms : recordMillis) {
      if (ms >= 0) {
        recordToStore.record(Math.max(0, committed - ms), TimeUnit.MILLISECONDS);
      }
    }
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    next.forEach((p, o) -> commit.put(new TopicPartition(settings.topic(), p), new OffsetAndMetadata(o)));
    // informational (monitoring tools read the group's lag); a failure here loses nothing
    c.commitAsync(commit, (offsets, e) -> {
      if (e != null) {
        LOG.debug("Kafka: committing the group's offsets failed (informational only): {}", e.getMessage());
      }
    });
  }

  private ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> r, EventRecords.Outcome o) {
    RecordHeaders headers = new RecordHeaders();
    r.headers().forEach(headers::add);
    headers.add(HEADER_REASON, utf8(o.reason()));
    headers.add(HEADER_FIELD, utf8(o.field()));
    headers.add(HEADER_TOPIC, utf8(r.topic()));
    headers.add(HEADER_PARTITION, utf8(Integer.toString(r.partition())));
    headers.add(HEADER_OFFSET, utf8(Long.toString(r.offset())));
    LOG.debug("Kafka: {}-{}@{} is not a valid event ({}: {}); sent to '{}'", r.topic(), r.partition(), r.offset(),
        o.field(), o.reason(), settings.deadLetterTopic());
    return new ProducerRecord<>(settings.deadLetterTopic(), null, r.timestamp() >= 0 ? r.timestamp() : null, r.key(),
        r.value(), headers);
  }

  private void updateLags(KafkaConsumer<byte[], byte[]> c) {
    Collection<TopicPartition> assigned = c.assignment();
    Map<TopicPartition, Long> end = c.endOffsets(assigned, Duration.ofSeconds(5));
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      long next = nextOffsets.getOrDefault(e.getKey().partition(), 0L);
      lags.put(e.getKey().partition(), Math.max(0, e.getValue() - next));
    }
  }

  private void ensureDeadLetterTopic() {
    ensureTopic(settings, settings.deadLetterTopic(), "dead-letter", "invalid records wait until it can be written");
  }

  /**
   * Creates {@code topic} when it is missing, with the broker's default partitions and replication;
   * a refusal (no permission, say) is logged with {@code meanwhile}, not fatal.
   */
  static void ensureTopic(KafkaSettings settings, String topic, String role, String meanwhile) {
    Properties p = new Properties();
    p.putAll(settings.clientProperties());
    p.put("bootstrap.servers", settings.bootstrap());
    p.putIfAbsent("client.id", "perennial-admin");
    try (Admin admin = Admin.create(p)) {
      Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (!names.contains(topic)) {
        admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
        LOG.info("Kafka: created the {} topic '{}'", role, topic);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException) {
        return;
      }
      LOG.warn("Kafka: could not check or create the {} topic '{}' ({}); {}", role, topic, describe(e), meanwhile);
    }
  }

  private static <T> T await(Future<T> f, String what) {
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + describe(e.getCause()), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(what + " timed out after 60 s", e);
    }
  }

  private void fail(String message, Throwable e) {
    lastError = message;
    state = "reconnecting";
    LOG.debug("Kafka ingest failure", e);
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private static byte[] utf8(String s) {
    return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
  }

  private void sleep(long millis) {
    long until = System.currentTimeMillis() + millis;
    while (running && System.currentTimeMillis() < until) {
      try {
        Thread.sleep(Math.min(100, Math.max(1, until - System.currentTimeMillis())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private Properties common() {
    Properties p = new Properties();
    p.putAll(settings.clientProperties());
    p.put("bootstrap.servers", settings.bootstrap());
    // a broker that is down is retried every few seconds, not every 50 ms (and logged as often)
    p.putIfAbsent("reconnect.backoff.max.ms", "10000");
    return p;
  }

  Properties consumerProperties() {
    Properties p = common();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "perennial-ingest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    // the store's offsets decide where reading resumes; the group's are written by hand, after each commit
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    return p;
  }

  private Properties producerProperties() {
    Properties p = common();
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "perennial-dead-letters");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    return p;
  }

  /** Stops consuming: a batch being stored is finished first (its offsets with it). */
  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    state = "stopped";
  }
}
