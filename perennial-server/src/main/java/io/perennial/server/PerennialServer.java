package io.perennial.server;

import io.perennial.server.http.ApiRoutes;
import io.perennial.server.http.HttpOptions;
import io.perennial.server.http.HttpServer;
import io.perennial.server.http.ItemRoutes;
import io.perennial.server.http.PrivacyRoutes;
import io.perennial.server.http.Pseudonymizer;
import io.perennial.server.http.ServerMetrics;
import io.perennial.server.kafka.KafkaIngest;
import io.perennial.server.kafka.KafkaSettings;
import io.perennial.server.kafka.ServedPublisher;
import io.perennial.server.search.TopKSearch;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.server.learn.Forgetting;
import io.perennial.server.learn.Learner;
import io.perennial.server.learn.Retention;
import io.perennial.server.learn.LearnerSettings;
import io.perennial.server.store.DataDirectory;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.ItemStore;
import io.perennial.server.store.ModelRegistry;
import io.perennial.server.store.PrivacyStore;
import io.perennial.server.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code perennial serve}: a data directory (locked), its event store and model registry, the
 * background learner and the HTTP API, started together and stopped in the reverse order so that
 * queued events are committed and the running model is checkpointed on shutdown.
 */
public final class PerennialServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PerennialServer.class);

  private final DataDirectory dir;
  private final EventStore store;
  private final ItemStore items;
  private final ModelRegistry registry;
  private final Learner learner;
  private final ServerMetrics metrics;
  private final HttpServer http;
  private final TopKSearch search;
  private final Retention retention;
  private final Forgetting forgetting;
  private final int port;
  private final KafkaIngest kafkaIngest;
  private final ServedPublisher servedPublisher;

  private PerennialServer(DataDirectory dir, EventStore store, ItemStore items, ModelRegistry registry, Learner learner,
      ServerMetrics metrics, HttpServer http, TopKSearch search, Retention retention, Forgetting forgetting, int port,
      KafkaIngest kafkaIngest, ServedPublisher servedPublisher) {
    this.retention = retention;
    this.forgetting = forgetting;
    this.kafkaIngest = kafkaIngest;
    this.servedPublisher = servedPublisher;
    this.dir = dir;
    this.store = store;
    this.items = items;
    this.registry = registry;
    this.learner = learner;
    this.metrics = metrics;
    this.http = http;
    this.search = search;
    this.port = port;
  }

  /**
   * Opens {@code dataDir} and starts everything.
   *
   * @throws StoreException when the directory is locked by another process or holds an
   *     incompatible store
   * @throws io.perennial.server.http.ListenException when the host and port cannot be listened on
   *     (checked before the directory is created or opened)
   */
  public static PerennialServer start(Path dataDir, LearnerSettings learning, HttpOptions options, TopKSearch search) {
    return start(dataDir, learning, options, search, s -> {});
  }

  /**
   * As {@link #start(Path, LearnerSettings, HttpOptions, TopKSearch)}, first handing an empty
   * store to {@code seed} (the {@code --synthetic} start), before the learner trains on it.
   */
  public static PerennialServer start(Path dataDir, LearnerSettings learning, HttpOptions options, TopKSearch search,
      java.util.function.Consumer<EventStore> seed) {
    return start(dataDir, learning, options, search, seed, PrivacyOptions.defaults(), null);
  }

  /**
   * As {@link #start(Path, LearnerSettings, HttpOptions, TopKSearch, java.util.function.Consumer)},
   * with a retention period and clock. Deletions a crash interrupted are finished before the
   * learner loads a model; the first retention purge runs once the learner is started.
   */
  public static PerennialServer start(Path dataDir, LearnerSettings learning, HttpOptions options, TopKSearch search,
      java.util.function.Consumer<EventStore> seed, PrivacyOptions privacyOptions) {
    return start(dataDir, learning, options, search, seed, privacyOptions, null);
  }

  /**
   * As {@link #start(Path, LearnerSettings, HttpOptions, TopKSearch, java.util.function.Consumer)},
   * also consuming events from Kafka (and publishing served lists when {@code kafka} names a served
   * topic) once the HTTP API is up; {@code null} for no Kafka. The broker need not be reachable: the
   * consumer retries in the background.
   */
  public static PerennialServer start(Path dataDir, LearnerSettings learning, HttpOptions options, TopKSearch search,
      java.util.function.Consumer<EventStore> seed, KafkaSettings kafka) {
    return start(dataDir, learning, options, search, seed, PrivacyOptions.defaults(), kafka);
  }

  /**
   * Opens {@code dataDir} and starts everything: the store (finishing deletions a crash interrupted
   * before the learner loads a model), the learner, the retention schedule, HTTP, and — when
   * {@code kafka} is not {@code null} — the Kafka consumer and served-topic publisher.
   */
  public static PerennialServer start(Path dataDir, LearnerSettings learning, HttpOptions options, TopKSearch search,
      java.util.function.Consumer<EventStore> seed, PrivacyOptions privacyOptions, KafkaSettings kafka) {
    // a port that is taken or a host that is not ours is refused before the data directory is touched
    HttpServer.checkCanListen(options.host(), options.port());
    DataDirectory dir = DataDirectory.open(dataDir);
    EventStore store = null;
    Learner learner = null;
    ServerMetrics metrics = null;
    Retention retention = null;
    KafkaIngest ingest = null;
    ServedPublisher served = null;
    HttpServer http = null;
    try {
      store = EventStore.open(dir);
      if (store.count() == 0) {
        seed.accept(store);
      }
      ModelRegistry registry = new ModelRegistry(store, dir);
      Pseudonymizer pseudonymizer = new Pseudonymizer(secret(dir.root()));
      PrivacyStore privacy = new PrivacyStore(store);
      Forgetting forgetting = new Forgetting(privacy, registry, pseudonymizer::pseudonym, privacyOptions.clock());
      forgetting.resumePending();
      Integer days = privacyOptions.retentionDays();
      if (days != null) {
        privacy.saveRetentionDays(Retention.checkDays(days));
      }
      retention = new Retention(privacy, privacyOptions.clock(), days != null ? days : privacy.savedRetentionDays().orElse(0));
      learner = new Learner(store, registry, learning).start();
      forgetting.attach(learner);
      forgetting.retrainIfRequested(learner);
      retention.attach(learner);
      retention.start(privacyOptions.purgeEvery());
      search.attach(learner::served);
      metrics = new ServerMetrics(store, learner, 5_000);
      ItemStore items = new ItemStore(store);
      ApiRoutes api = new ApiRoutes(HttpServer.mapper(), store, registry, learner, metrics, search,
          new ItemRoutes(HttpServer.mapper(), items),
          new PrivacyRoutes(HttpServer.mapper(), privacy, forgetting, retention));
      HttpServer listening = new HttpServer(options, api, metrics, pseudonymizer);
      int port = listening.start(options.host(), options.port(), options.keystore() != null);
      http = listening; // from here on a failure must release the port (a start that threw never listened)
      LOG.info("serving {} on {}:{} ({})", dir.root(), options.host(), port,
          options.keys().enabled() ? "API keys required" : "INSECURE: no API keys");
      if (kafka != null) {
        Learner l = learner;
        if (kafka.servedTopic() != null) {
          served = new ServedPublisher(kafka, HttpServer.mapper(), l::served, metrics.meterRegistry());
          api.servedLog(served);
        }
        ingest = new KafkaIngest(kafka, store, () -> l.status().lagEvents(), HttpServer.mapper(), metrics.meterRegistry());
        metrics.statusSection("kafka", ingest::status);
        metrics.seriesSource(ingest::sample);
        ingest.start();
      }
      return new PerennialServer(dir, store, items, registry, learner, metrics, http, search, retention, forgetting, port,
          ingest, served);
    } catch (RuntimeException e) {
      // the Kafka clients start after HTTP is listening, so a failure there must release the port too
      if (http != null) {
        http.close();
      }
      if (ingest != null) {
        ingest.close();
      }
      if (served != null) {
        served.close();
      }
      if (retention != null) {
        retention.close();
      }
      if (metrics != null) {
        metrics.close();
      }
      search.close();
      if (learner != null) {
        learner.close();
      }
      if (store != null) {
        store.close();
      }
      dir.close();
      throw e;
    }
  }

  /**
   * {@code perennial forget}: forgets a user in a data directory no server is running on (it takes
   * the directory's lock): their events leave the store, checkpoints holding them are rewritten or
   * deleted, and the audit record is written; deletions a crash interrupted are finished first.
   *
   * @throws StoreException when a server holds the directory
   */
  public static ObjectNode forgetOffline(Path dataDir, String userId) {
    try (DataDirectory dir = DataDirectory.open(dataDir); EventStore store = EventStore.open(dir)) {
      Pseudonymizer pseudonymizer = new Pseudonymizer(secret(dir.root()));
      Forgetting forgetting = new Forgetting(new PrivacyStore(store), new ModelRegistry(store, dir),
          pseudonymizer::pseudonym, java.time.Clock.systemUTC());
      forgetting.resumePending();
      return forgetting.forget(userId);
    }
  }

  /** The per-directory secret that keys user-id pseudonyms; created once, never leaves the directory. */
  private static byte[] secret(Path root) {
    Path file = root.resolve("secret.key");
    try {
      if (Files.exists(file)) {
        return Files.readAllBytes(file);
      }
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      Path tmp = Files.createTempFile(root, ".secret", ".tmp");
      Files.write(tmp, secret);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return secret;
    } catch (IOException e) {
      throw new StoreException("cannot read or create " + file + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return port;
  }

  public EventStore store() {
    return store;
  }

  /** Item metadata, in the event store's database. */
  public ItemStore items() {
    return items;
  }

  public ModelRegistry registry() {
    return registry;
  }

  public Learner learner() {
    return learner;
  }

  public TopKSearch search() {
    return search;
  }

  /** The retention schedule. */
  public Retention retention() {
    return retention;
  }

  /** Deletion of users everywhere, and its audit. */
  public Forgetting forgetting() {
    return forgetting;
  }

  /** The Kafka consumer, or {@code null} when the server does not read Kafka. */
  public KafkaIngest kafkaIngest() {
    return kafkaIngest;
  }

  /** Stops taking requests, stops the learner (which checkpoints), commits the queue, unlocks. */
  @Override
  public void close() {
    if (kafkaIngest != null) {
      kafkaIngest.close();
    }
    http.close();
    retention.close();
    if (servedPublisher != null) {
      servedPublisher.close();
    }
    search.close();
    learner.close();
    metrics.close();
    store.close();
    dir.close();
  }
}
