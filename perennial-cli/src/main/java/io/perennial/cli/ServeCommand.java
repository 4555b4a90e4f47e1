package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.continual.StrategyConfig;
import io.perennial.data.Interaction;
import io.perennial.data.ItemCatalog;
import io.perennial.data.ItemMetadata;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import io.perennial.server.PerennialServer;
import io.perennial.server.http.ApiKeys;
import io.perennial.server.http.HttpOptions;
import io.perennial.server.http.ListenException;
import io.perennial.server.kafka.KafkaSettings;
import io.perennial.server.search.TopKSearch;
import io.perennial.server.learn.LearnerSettings;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.ItemStore;
import io.perennial.server.store.NewEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code perennial serve}: the HTTP server over a data directory, learning while it serves. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve recommendations over HTTP from a data directory, learning from ingested events in the background.")
final class ServeCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Mixin ItemOptions itemOptions = new ItemOptions();

  @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "Data directory (created if missing; locked while serving).")
  Path dataDir;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind. Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Port (0 = any free). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--model", defaultValue = "bpr", paramLabel = "NAME", completionCandidates = ModelNames.class,
      description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  String model;

  /**
   * The names {@code --model} accepts: every algorithm {@link Algorithms#NAMES} lists but those that
   * need item content, which the learner does not hand to models yet.
   */
  static final class ModelNames implements Iterable<String> {
    static final java.util.List<String> SERVABLE =
        Algorithms.NAMES.stream().filter(n -> !Algorithms.needsContent(n)).toList();

    @Override
    public java.util.Iterator<String> iterator() {
      return SERVABLE.iterator();
    }
  }

  @Option(names = "--members", split = ",", paramLabel = "NAME",
      description = "With --model fusion: the models fused, e.g. ials,itemknn,bpr (the default); each with its own "
          + "streaming defaults and the --config entry keyed by its name.")
  List<String> members;

  @Option(names = "--config", paramLabel = "FILE", description = "JSON overrides of the model config (over the streaming defaults).")
  Path config;

  @Option(names = "--strategy", defaultValue = "online", description = "online, incremental, full, static, gated, gated-incremental, hybrid. Default: ${DEFAULT-VALUE}.")
  String strategy;

  @Option(names = "--update-every", defaultValue = "100000", paramLabel = "EVENTS", description = "Events between full retrains (full); fine-tunes come every 1/10 of this. Default: ${DEFAULT-VALUE}.")
  int updateEvery;

  @Option(names = "--retrain-every", defaultValue = "0", paramLabel = "EVENTS", description = "Background full retrain every this many events (hybrid; 0 = only on request). Default: ${DEFAULT-VALUE}.")
  long retrainEvery;

  @Option(names = "--checkpoint-every", defaultValue = "60", paramLabel = "SECONDS", description = "Checkpoint the running model this often when it changed. Default: ${DEFAULT-VALUE}.")
  long checkpointEvery;

  @Option(names = "--min-events", defaultValue = "1000", description = "Events needed before the first model is trained. Default: ${DEFAULT-VALUE}.")
  int minEvents;

  @Option(names = "--prequential-sample", defaultValue = "0.002", paramLabel = "FRACTION",
      description = "Share of incoming events the served model is tested on before learning them (each test scores "
          + "the whole catalogue). Default: ${DEFAULT-VALUE}.")
  double prequentialSample;

  @Option(names = "--synthetic", description = "Seed an empty store from the synthetic generator before training.")
  boolean synthetic;

  @Option(names = "--events", defaultValue = "200000", description = "Synthetic events to seed. Default: ${DEFAULT-VALUE}.")
  long events;

  @Option(names = "--users", defaultValue = "5000", description = "Synthetic users. Default: ${DEFAULT-VALUE}.")
  int users;

  // --items names the item metadata file (ItemOptions), as on train, evaluate and simulate
  @Option(names = "--synthetic-items", defaultValue = "10000", paramLabel = "N",
      description = "Synthetic items (--synthetic). Default: ${DEFAULT-VALUE}.")
  int items;

  @Option(names = "--seed", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--search", defaultValue = "auto", description = "Top-K search: auto (ANN graph from "
      + io.perennial.server.search.AnnSearch.DEFAULT_EXACT_BELOW + " items, exact below), ann (always the graph), exact (every item scored). Default: ${DEFAULT-VALUE}.")
  String search;

  @Option(names = "--quantize", defaultValue = "none", paramLabel = "none|int8|fp16",
      description = "Answer requests with int8 (or fp16) copies of the model's tables (mf, bpr, ials): exact scoring "
          + "and the ANN re-rank read a quarter (half) of the table bytes; the learner keeps learning in floats and "
          + "the copy follows it row by row. With --strategy static only the int8 tables are kept. Default: ${DEFAULT-VALUE}.")
  String quantize;

  @Option(names = "--rerank-candidates", defaultValue = "0", paramLabel = "N",
      description = "Candidates the ANN graph proposes per request for the model to re-rank by its full score "
          + "(two-stage retrieval and ranking; at least k, plus the graph's own margin). 0 = the model's default: "
          + "k for models whose score is the inner product searched (mf, bpr, ials), more for a model that "
          + "retrieves by a cheaper proxy (neumf). Exact search scores every item and ignores it. Default: ${DEFAULT-VALUE}.")
  int rerankCandidates;

  @Option(names = "--keys-file", paramLabel = "FILE", description = "API keys, one 'key:scope' per line (scopes read, ingest, admin). Else PERENNIAL_API_KEYS.")
  Path keysFile;

  @Option(names = "--insecure-dev", description = "Serve without API keys (development only; loopback hosts only "
      + "unless --allow-insecure-remote).")
  boolean insecureDev;

  @Option(names = "--allow-insecure-remote", description = "With --insecure-dev, listen without API keys on a "
      + "non-loopback --host too: anyone who can reach it can read, ingest and retrain.")
  boolean allowInsecureRemote;

  @Option(names = "--max-body", defaultValue = "4194304", paramLabel = "BYTES", description = "Largest request body. Default: ${DEFAULT-VALUE}.")
  long maxBody;

  @Option(names = "--rate-limit", defaultValue = "10000", paramLabel = "PER_SECOND", description = "Requests per second per key (0 = unlimited). Default: ${DEFAULT-VALUE}.")
  double rateLimit;

  @Option(names = "--cors-origin", paramLabel = "ORIGIN", description = "Allow browser calls from this origin (no CORS unless given).")
  String corsOrigin;

  @Option(names = "--keystore", paramLabel = "FILE", description = "PKCS#12 keystore: serve HTTPS. Password from PERENNIAL_KEYSTORE_PASSWORD.")
  Path keystore;

  @Option(names = "--retention-days", paramLabel = "N", description = "Delete events older than N days, hourly (0 = keep "
      + "forever; default: the period last set by PUT /v1/privacy/retention, else forever). Saved for restarts.")
  Integer retentionDays;

  @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,HOST:PORT…]",
      description = "Also consume events from Kafka: the brokers to bootstrap from. The broker need not be up yet: "
          + "the consumer retries while the HTTP API serves.")
  String kafkaBootstrap;

  @Option(names = "--kafka-topic", paramLabel = "TOPIC", defaultValue = "events",
      description = "Topic of events (the JSON objects POST /v1/events takes, one per record; the key stands in for "
          + "a missing user), read from every partition. Default: ${DEFAULT-VALUE}.")
  String kafkaTopic;

  @Option(names = "--kafka-group", paramLabel = "GROUP", defaultValue = "perennial",
      description = "Consumer group the consumed offsets are committed to, for monitoring; where reading resumes is "
          + "kept in the data directory. Default: ${DEFAULT-VALUE}.")
  String kafkaGroup;

  @Option(names = "--kafka-dead-letter-topic", paramLabel = "TOPIC",
      description = "Where records that are not valid events go, with the reason and source partition/offset as "
          + "headers (created when missing). Default: TOPIC.dead-letter.")
  String kafkaDeadLetterTopic;

  @Option(names = "--kafka-served-topic", paramLabel = "TOPIC",
      description = "Publish every recommendation answer (request id, model version, items, positions) and every "
          + "model version change to this topic. Default: not published.")
  String kafkaServedTopic;

  @Option(names = "--kafka-max-lag", paramLabel = "EVENTS", defaultValue = "100000",
      description = "Pause consuming while the learner is this many events behind the store; resume at half. "
          + "Default: ${DEFAULT-VALUE}.")
  long kafkaMaxLag;

  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = "Kafka client properties (security.protocol, sasl.*, ssl.*, timeouts), applied to every client.")
  Path kafkaConfig;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PerennialServer server = start(this, out, spec.commandLine().getErr());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "perennial-shutdown"));
    out.printf(Locale.ROOT, "perennial serving on %s://%s:%d (data %s); Ctrl-C stops and checkpoints%n",
        keystore == null ? "http" : "https", host, server.port(), dataDir.toAbsolutePath());
    out.flush();
    stopped.await();
    return 0;
  }

  /** Builds and starts a server from these options; warnings go to {@code err}. */
  static PerennialServer start(ServeCommand o, PrintWriter out, PrintWriter err) {
    if (!Algorithms.NAMES.contains(o.model)) {
      throw new UserException("--model: unknown model '" + o.model + "' (expected one of " + Algorithms.NAMES + ")");
    }
    if (Algorithms.needsContent(o.model)) {
      throw new UserException("--model " + o.model + ": the server's learner does not hand item content to models yet; "
          + "serve one of " + ModelNames.SERVABLE);
    }
    if (o.rerankCandidates < 0) {
      throw new UserException("--rerank-candidates: must be 0 (the model's default) or more, got " + o.rerankCandidates);
    }
    ApiKeys keys = o.apiKeys();
    o.checkInsecureExposure(err);
    ObjectNode modelConfig = Algorithms.servingDefaults(o.model);
    FusionMembers.check(o.members, List.of(o.model));
    JsonNode user = ConfigFiles.overrides(o.config, o.model, 1);
    if (o.model.equals("fusion")) {
      user = FusionMembers.overrides(user, o.members, o.config, Algorithms::servingDefaults);
      if (FusionMembers.needsContent(user)) {
        throw new UserException("--model fusion: a member needs item content, which this command does not hand to models yet");
      }
    }
    if (user != null) {
      user.fields().forEachRemaining(f -> modelConfig.set(f.getKey(), f.getValue()));
    }
    Algorithms.trainer(o.model, modelConfig);
    StrategyConfig strategyConfig = StrategyConfig.forStream(o.updateEvery * 10L);
    LearnerSettings learning = new LearnerSettings(o.model, modelConfig, o.strategy, strategyConfig,
        o.strategy.equalsIgnoreCase("hybrid") && o.retrainEvery == 0 ? o.updateEvery : o.retrainEvery,
        o.checkpointEvery * 1000, 64, o.prequentialSample, o.minEvents, o.seed)
        .servedAs(Quantizing.parse(o.quantize, o.model));
    String password = System.getenv().getOrDefault("PERENNIAL_KEYSTORE_PASSWORD", "");
    if (o.keystore != null && !Files.isReadable(o.keystore)) {
      throw new UserException("--keystore: cannot read " + o.keystore);
    }
    HttpOptions http = new HttpOptions(o.host, o.port, keys, o.maxBody, o.rateLimit, o.corsOrigin, o.keystore, password);
    Consumer<EventStore> seed = o.synthetic ? store -> seedSynthetic(store, o, out) : store -> {};
    // read before the server starts, so a bad file stops the command before it binds or opens anything
    ItemCatalog catalog = o.itemOptions.load(io.perennial.data.ErrorPolicy.FAIL, out::println);
    KafkaSettings kafka = o.kafkaSettings();
    PerennialServer server;
    try {
      if (o.retentionDays != null && (o.retentionDays < 0 || o.retentionDays > io.perennial.server.learn.Retention.MAX_DAYS)) {
        throw new UserException("--retention-days: must be between 0 (keep forever) and "
            + io.perennial.server.learn.Retention.MAX_DAYS + ", got " + o.retentionDays);
      }
      server = PerennialServer.start(o.dataDir, learning, http, Searches.forName(o.search, o.rerankCandidates), seed,
          io.perennial.server.PrivacyOptions.defaults().withRetentionDays(o.retentionDays), kafka);
    } catch (ListenException e) {
      throw new UserException("--host/--port: " + e.getMessage());
    }
    if (kafka != null) {
      out.printf(Locale.ROOT, "kafka: consuming '%s' from %s (group %s, dead letters to '%s'%s)%n", kafka.topic(),
          kafka.bootstrap(), kafka.group(), kafka.deadLetterTopic(),
          kafka.servedTopic() == null ? "" : ", served lists to '" + kafka.servedTopic() + "'");
      out.flush();
    }
    if (catalog != null) {
      try {
        importItems(server, catalog, o.itemOptions, out);
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }
    return server;
  }

  /**
   * Upserts the catalogue into the server's item store, each item dated by its file's modification
   * time: an item updated through the API after the file was written keeps that newer version.
   */
  static void importItems(PerennialServer server, ItemCatalog catalog, ItemOptions options, PrintWriter out) {
    long fileTime = options.sourceTime();
    List<ItemStore.Upsert> batch = new ArrayList<>();
    int stored = 0;
    int stale = 0;
    for (ItemMetadata item : catalog.items()) {
      batch.add(new ItemStore.Upsert(item, fileTime));
      if (batch.size() == 10_000) {
        for (boolean b : server.items().upsert(batch).join()) {
          stored += b ? 1 : 0;
          stale += b ? 0 : 1;
        }
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      for (boolean b : server.items().upsert(batch).join()) {
        stored += b ? 1 : 0;
        stale += b ? 0 : 1;
      }
    }
    out.printf(Locale.ROOT, "items: stored %,d in the data directory%s%n", stored,
        stale == 0 ? "" : String.format(Locale.ROOT, "; %,d kept their newer stored version", stale));
  }

  /** The Kafka settings the options give, or {@code null} without {@code --kafka-bootstrap}. */
  KafkaSettings kafkaSettings() {
    if (kafkaBootstrap == null) {
      for (String option : List.of("--kafka-dead-letter-topic", "--kafka-served-topic", "--kafka-config")) {
        if (spec != null && spec.commandLine().getParseResult().hasMatchedOption(option)) {
          throw new UserException(option + " needs --kafka-bootstrap");
        }
      }
      return null;
    }
    Map<String, String> properties = new LinkedHashMap<>();
    if (kafkaConfig != null) {
      Properties p = new Properties();
      try (var in = Files.newBufferedReader(kafkaConfig)) {
        p.load(in);
      } catch (IOException | IllegalArgumentException e) {
        throw new UserException("--kafka-config: cannot read " + kafkaConfig + ": " + e.getMessage());
      }
      p.stringPropertyNames().forEach(name -> properties.put(name, p.getProperty(name)));
    }
    try {
      return new KafkaSettings(kafkaBootstrap, kafkaTopic, kafkaGroup, kafkaDeadLetterTopic, kafkaServedTopic, kafkaMaxLag,
          properties);
    } catch (IllegalArgumentException e) {
      throw new UserException("--kafka-*: " + e.getMessage());
    }
  }

  /**
   * Without keys every route is open, so only this machine may reach it unless the user says
   * twice that it is meant: refused on a non-loopback host, allowed with a loud warning given
   * {@code --allow-insecure-remote}.
   */
  private void checkInsecureExposure(PrintWriter err) {
    if (!insecureDev) {
      if (allowInsecureRemote) {
        throw new UserException("--allow-insecure-remote only applies with --insecure-dev");
      }
      return;
    }
    boolean loopback;
    try {
      loopback = InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new UserException("--host: cannot resolve host '" + host + "'");
    }
    if (loopback) {
      return;
    }
    if (!allowInsecureRemote) {
      throw new UserException("--insecure-dev serves every route without API keys; refusing to listen on " + host
          + ", which is not a loopback address. Use --host 127.0.0.1, give API keys, or add --allow-insecure-remote "
          + "if you really mean it");
    }
    err.println("perennial: WARNING: no API keys and listening on " + host + ": anyone who can reach this port can "
        + "read recommendations, ingest events and retrain or replace the model (--insecure-dev --allow-insecure-remote)");
    err.flush();
  }

  private ApiKeys apiKeys() {
    if (insecureDev) {
      return ApiKeys.none();
    }
    String spec;
    if (keysFile != null) {
      try {
        spec = String.join(",", Files.readAllLines(keysFile).stream().map(String::trim)
            .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
      } catch (IOException e) {
        throw new UserException("--keys-file: cannot read " + keysFile + ": " + e.getMessage());
      }
    } else {
      spec = System.getenv("PERENNIAL_API_KEYS");
    }
    if (spec == null || spec.isBlank()) {
      throw new UserException("no API keys: set PERENNIAL_API_KEYS=key:admin,… or pass --keys-file, "
          + "or --insecure-dev to serve without keys");
    }
    try {
      return ApiKeys.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new UserException((keysFile != null ? keysFile.toString() : "PERENNIAL_API_KEYS") + ": " + e.getMessage());
    }
  }

  static void seedSynthetic(EventStore store, ServeCommand o, PrintWriter out) {
    SyntheticConfig cfg = SyntheticConfig.defaults().withEvents(o.events).withSeed(o.seed).withSize(o.users, o.items);
    SyntheticGenerator gen = new SyntheticGenerator(cfg);
    List<NewEvent> batch = new ArrayList<>(10_000);
    long n = 0;
    while (gen.hasNext()) {
      Interaction e = gen.next();
      batch.add(new NewEvent(null, SyntheticGenerator.userId(e.user()), SyntheticGenerator.itemId(e.item()), e.type(),
          e.value(), e.timestamp()));
      if (batch.size() == 10_000 || !gen.hasNext()) {
        store.append(batch).join();
        n += batch.size();
        batch.clear();
      }
    }
    out.printf(Locale.ROOT, "seeded the store with %,d synthetic events (%,d users × %,d items)%n", n, o.users, o.items);
    out.flush();
  }
}
