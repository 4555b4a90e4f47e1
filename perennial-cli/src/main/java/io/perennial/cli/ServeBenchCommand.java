package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Interaction;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code perennial bench serve}: starts {@code perennial serve} in a JVM of its own, seeded from the
 * synthetic generator, loads it on loopback with paced recommendation requests and event batches at
 * once, and reports latency, throughput, learner lag, commit-to-visible delays, and the server's
 * memory, collector and CPU per thread group over time.
 *
 * <p>Requests are paced open-loop: each has an intended start time, and its latency is counted from
 * then, so a stalled server is charged for the requests it delayed (no coordinated omission).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Load a server on loopback (recommendations + ingest, online learner running) and report latency, throughput, lag and memory.")
final class ServeBenchCommand implements Callable<Integer> {

  private static final String KEY = "bench-admin-key-0123456789";

  @Spec CommandSpec spec;

  @Option(names = "--items", defaultValue = "100000", description = "Synthetic items. Default: ${DEFAULT-VALUE}.")
  int items;

  @Option(names = "--users", defaultValue = "50000", description = "Synthetic users. Default: ${DEFAULT-VALUE}.")
  int users;

  @Option(names = "--events", defaultValue = "1000000", description = "Events seeded before the load. Default: ${DEFAULT-VALUE}.")
  long events;

  @Option(names = "--model", defaultValue = "bpr", paramLabel = "NAME",
      description = "Model the server learns and serves (any of serve's). Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--config", paramLabel = "FILE",
      description = "JSON overrides of the model's config, as serve's --config. Default: for bpr, the --factors and "
          + "--online-* options below; for other models, none.")
  Path modelConfig;

  @Option(names = "--rerank-candidates", defaultValue = "0", paramLabel = "N",
      description = "serve's --rerank-candidates (0 = the model's default). Default: ${DEFAULT-VALUE}.")
  int rerankCandidates;

  @Option(names = "--factors", defaultValue = "64", description = "BPR factors. Default: ${DEFAULT-VALUE}.")
  int factors;

  // Default: the server's own (Algorithms.servingDefaults); the options let a run measure others,
  // such as BPR's offline 10:5, which session 5's soaks ran.
  @Option(names = "--online-steps",
      description = "BPR online steps (sampled negatives) per event. Default: the server's, ${DEFAULT-VALUE}.")
  int onlineSteps = Algorithms.servingDefaults("bpr").get("onlineSteps").asInt();

  @Option(names = "--online-replay",
      description = "BPR online replay steps per event. Default: the server's, ${DEFAULT-VALUE}.")
  int onlineReplay = Algorithms.servingDefaults("bpr").get("onlineReplay").asInt();

  @Option(names = "--search", defaultValue = "auto", description = "auto, ann or exact. Default: ${DEFAULT-VALUE}.")
  String search;

  @Option(names = "--duration", defaultValue = "120", paramLabel = "SECONDS", description = "Measured load time. Default: ${DEFAULT-VALUE}.")
  int duration;

  @Option(names = "--warmup", defaultValue = "20", paramLabel = "SECONDS", description = "Unmeasured load first. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(names = "--rate", defaultValue = "2000", paramLabel = "PER_SECOND", description = "Recommendation requests per second. Default: ${DEFAULT-VALUE}.")
  int rate;

  @Option(names = "--ingest", defaultValue = "5000", paramLabel = "PER_SECOND", description = "Events ingested per second. Default: ${DEFAULT-VALUE}.")
  int ingest;

  @Option(names = "--batch", defaultValue = "50", description = "Events per POST. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--readers", defaultValue = "16", description = "Client threads sending recommendation requests. Default: ${DEFAULT-VALUE}.")
  int readers;

  @Option(names = "--writers", defaultValue = "4", description = "Client threads sending events. Default: ${DEFAULT-VALUE}.")
  int writers;

  @Option(names = "--sample-every", defaultValue = "10", paramLabel = "SECONDS", description = "Interval of the time series. Default: ${DEFAULT-VALUE}.")
  int sampleEvery;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default: a temporary one, deleted after).")
  Path dataDir;

  @Option(names = "--seed", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
  Path json;

  @Option(names = "--checkpoint-every", defaultValue = "60", paramLabel = "SECONDS",
      description = "The server's checkpoint interval. Default: ${DEFAULT-VALUE}.")
  int checkpointEvery;

  @Option(names = "--server-jvm-options", paramLabel = "OPTIONS",
      defaultValue = "-Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:MaxGCPauseMillis=5",
      description = "JVM options of the server process (space-separated). A fixed, pre-touched heap keeps RSS "
          + "flat; a 5 ms pause goal keeps young collections out of the p99. Default: ${DEFAULT-VALUE}.")
  String serverJvmOptions;

  @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT",
      description = "Send the events through Kafka instead of POST /v1/events: a new topic on this broker, which "
          + "the server consumes (serve --kafka-bootstrap), and measure record timestamp → visible to recommendations "
          + "with probe events.")
  String kafkaBootstrap;

  @Option(names = "--kafka-partitions", defaultValue = "4", description = "Partitions of the bench's topic. Default: ${DEFAULT-VALUE}.")
  int kafkaPartitions;

  @Option(names = "--probes", defaultValue = "20", paramLabel = "PER_SECOND",
      description = "With --kafka-bootstrap: probe events per second (a new user each; its recommendations are polled "
          + "until they are no longer the fallback). Default: ${DEFAULT-VALUE}.")
  int probes;

  private final Recorder readLatency = new Recorder(3);
  private final Recorder writeLatency = new Recorder(3);
  private final AtomicLong readErrors = new AtomicLong();
  private final AtomicLong writeErrors = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong eventsSent = new AtomicLong();
  private volatile boolean stop;
  /** Where the paced schedule starts; moved to the end of the warm-up so its backlog is not measured. */
  private volatile long scheduleStart;
  /** The world the store was seeded from, continued: the load's events come after the seeded ones. */
  private SyntheticGenerator stream;
  /** With --kafka-bootstrap: the topic the events go to, and the producer writing it. */
  private String kafkaTopic;
  private KafkaLoad kafka;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (rate < 1 || ingest < 0 || batch < 1 || readers < 1 || writers < 1 || duration < 1 || warmup < 0) {
      throw new UserException("bench serve: --rate, --batch, --readers, --writers and --duration must be positive");
    }
    if (!Algorithms.NAMES.contains(model)) {
      throw new UserException("--model: unknown model '" + model + "' (expected one of " + Algorithms.NAMES + ")");
    }
    if (onlineSteps < 1 || onlineReplay < 0) {
      throw new UserException("bench serve: --online-steps must be at least 1 and --online-replay at least 0");
    }
    if (kafkaBootstrap != null) {
      if (kafkaPartitions < 1 || probes < 0) {
        throw new UserException("bench serve: --kafka-partitions must be positive and --probes at least 0");
      }
      kafkaTopic = "perennial-bench-" + System.currentTimeMillis();
      kafka = KafkaLoad.create(kafkaBootstrap, kafkaTopic, kafkaPartitions);
      out.printf(Locale.ROOT, "kafka: created topic '%s' (%d partitions) on %s; events go through it%n", kafkaTopic,
          kafkaPartitions, kafkaBootstrap);
    }
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("perennial-bench-serve") : dataDir;
    List<String> jvm = ServerProcess.splitOptions(serverJvmOptions);
    out.printf(Locale.ROOT, "starting the server process (%s): an empty store is seeded with %,d events, %,d users x %,d items, "
        + "and %s is trained on them...%n", String.join(" ", jvm), events, users, items,
        usesBprOptions() ? "BPR with " + factors + " factors" : model);
    out.flush();
    long t0 = System.nanoTime();
    try (ServerProcess server = ServerProcess.start(jvm, serveArguments(dir), out, 1800);
        ServerApi api = new ServerApi("http://127.0.0.1:" + server.port(), KEY, readers + writers + 2)) {
      awaitReady(api, server);
      double startup = (System.nanoTime() - t0) / 1e9;
      out.printf(Locale.ROOT, "ready after %.0f s: %s%n", startup, api.get("/v1/stats").path("search"));
      out.flush();
      ObjectNode report = run(api, server, out);
      report.put("startup_s", startup);
      if (json != null) {
        Json.write(json, report);
        out.println("wrote " + json);
      }
    } finally {
      if (kafka != null) {
        kafka.close();
      }
      if (temporary) {
        deleteTree(dir);
      }
    }
    return 0;
  }

  /** Whether the server's model config comes from {@code --factors} and {@code --online-*} (BPR without {@code --config}). */
  private boolean usesBprOptions() {
    return model.equals("bpr") && modelConfig == null;
  }

  private List<String> serveArguments(Path dir) throws IOException {
    Path config = modelConfig;
    if (config == null) {
      config = Files.createTempFile("perennial-bench", ".json");
      Files.writeString(config, usesBprOptions() ? String.format(Locale.ROOT,
          "{\"factors\":%d,\"onlineSteps\":%d,\"onlineReplay\":%d}", factors, onlineSteps, onlineReplay) : "{}");
      config.toFile().deleteOnExit();
    }
    Path keys = Files.createTempFile("perennial-bench", ".keys");
    Files.writeString(keys, KEY + ":admin\n");
    keys.toFile().deleteOnExit();
    List<String> kafkaArgs = kafkaBootstrap == null ? List.of()
        : List.of("--kafka-bootstrap", kafkaBootstrap, "--kafka-topic", kafkaTopic, "--kafka-group", "perennial-bench");
    return concat(kafkaArgs, "--data-dir", dir.toString(), "--host", "127.0.0.1", "--port", "0", "--model", model,
        "--config", config.toString(), "--strategy", "online", "--update-every", "100000", "--retrain-every", "0",
        "--checkpoint-every", Integer.toString(checkpointEvery), "--min-events", "1000", "--synthetic", "--events", Long.toString(events),
        "--users", Integer.toString(users), "--synthetic-items", Integer.toString(items), "--seed", Long.toString(seed),
        "--search", search, "--keys-file", keys.toString(), "--max-body", Integer.toString(4 << 20),
        "--rate-limit", "0", "--prequential-sample", "0.002", "--rerank-candidates", Integer.toString(rerankCandidates));
  }

  private static List<String> concat(List<String> first, String... rest) {
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of(rest));
    return all;
  }

  /** Waits until a model is served, the learner has caught up and the search is ready for that model. */
  private static void awaitReady(ServerApi api, ServerProcess server) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!server.alive()) {
        throw new UserException("bench serve: the server exited while starting (see its output above)");
      }
      try {
        JsonNode stats = api.get("/v1/stats");
        if (!need(stats, "model_version").isNull() && need(stats, "search_ready").asBoolean()
            && need(stats, "learner_offset").asLong() == need(stats, "store_offset").asLong()) {
          return;
        }
      } catch (IOException e) {
        // not answering yet
      }
      Thread.sleep(500);
    }
    throw new UserException("bench serve: the server was not ready within 30 minutes");
  }

  private ObjectNode run(ServerApi api, ServerProcess server, PrintWriter out) throws Exception {
    stream = new SyntheticGenerator(SyntheticConfig.defaults().withEvents(Long.MAX_VALUE / 4).withSeed(seed)
        .withSize(users, items));
    for (long e = 0; e < events; e++) {
      stream.next();
    }
    ExecutorService pool = Executors.newFixedThreadPool(readers + writers, named("bench-client"));
    scheduleStart = System.nanoTime();
    for (int r = 0; r < readers; r++) {
      int reader = r;
      pool.submit(() -> readLoop(api, reader));
    }
    for (int w = 0; w < writers; w++) {
      int writer = w;
      pool.submit(() -> writeLoop(api, writer));
    }
    ExecutorService probePool = null;
    if (kafka != null && probes > 0) {
      probePool = Executors.newFixedThreadPool(PROBE_THREADS, named("bench-probe"));
      for (int t = 0; t < PROBE_THREADS; t++) {
        int thread = t;
        probePool.submit(() -> probeLoop(api, thread));
      }
    }
    out.printf(Locale.ROOT, "warm-up %d s, then %d s measured at %,d req/s and %,d events/s%n", warmup, duration, rate, ingest);
    out.flush();
    Thread.sleep(warmup * 1000L);
    // Requests the warm-up (JIT, first index build) left behind are dropped, not charged to the measurement.
    scheduleStart = System.nanoTime();
    readLatency.getIntervalHistogram();
    writeLatency.getIntervalHistogram();
    endToEnd.getIntervalHistogram();
    probeTimeouts.set(0);
    long storedAtStart = need(api.get("/v1/stats"), "events").asLong();
    Histogram allReads = new Histogram(3);
    Histogram allWrites = new Histogram(3);
    ArrayNode samples = Json.MAPPER.createArrayNode();
    ProcessSampler serverProcess = new ProcessSampler(server.pid());
    ProcessSampler clientProcess = new ProcessSampler(ProcessHandle.current().pid());
    ServerApi.JvmFigures lastJvm = api.jvm();
    ServerApi.JvmFigures atStart = lastJvm;
    long lastClientGc = clientGcMillis();
    long measuredStart = System.nanoTime();
    long reads0 = reads.get();
    long events0 = eventsSent.get();
    long lastReads = reads0;
    long lastEvents = events0;
    long lastSample = measuredStart;
    long maxLagEvents = 0;
    double maxLagSeconds = 0;
    long end = measuredStart + duration * 1_000_000_000L;
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(sampleEvery * 1000L, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      if (!server.alive()) {
        throw new UserException("bench serve: the server process died during the load (see its output above)");
      }
      long now = System.nanoTime();
      Histogram r = readLatency.getIntervalHistogram();
      Histogram w = writeLatency.getIntervalHistogram();
      allReads.add(r);
      allWrites.add(w);
      double seconds = (now - lastSample) / 1e9;
      long readsNow = reads.get();
      long eventsNow = eventsSent.get();
      JsonNode status = api.get("/v1/learner");
      ServerApi.JvmFigures jvm = api.jvm();
      maxLagEvents = Math.max(maxLagEvents, need(status, "lag_events").asLong());
      maxLagSeconds = Math.max(maxLagSeconds, need(status, "lag_seconds").asDouble());
      ObjectNode s = samples.addObject();
      s.put("t_s", Math.round((now - measuredStart) / 1e9));
      s.put("req_per_s", (readsNow - lastReads) / seconds);
      s.put("events_per_s", (eventsNow - lastEvents) / seconds);
      s.put("p50_ms", r.getValueAtPercentile(50) / 1000.0);
      s.put("p99_ms", r.getValueAtPercentile(99) / 1000.0);
      s.put("max_ms", r.getMaxValue() / 1000.0);
      s.put("learner_lag_events", need(status, "lag_events").asLong());
      s.put("learner_lag_s", need(status, "lag_seconds").asDouble());
      s.put("last_checkpoint_ms", need(status, "last_checkpoint_millis").asLong());
      s.put("heap_used_mb", jvm.heapUsedBytes() >> 20);
      s.put("heap_live_after_gc_mb", jvm.liveAfterGcBytes() >> 20);
      s.put("alloc_mb_per_s", (jvm.allocatedBytes() - lastJvm.allocatedBytes()) / 1e6 / seconds);
      s.put("gc_pauses", jvm.gcPauses() - lastJvm.gcPauses());
      s.put("gc_pause_ms", Math.round((jvm.gcPauseSeconds() - lastJvm.gcPauseSeconds()) * 1000));
      s.put("gc_pause_max_ms", Math.round(jvm.gcPauseMaxSeconds() * 1000));
      serverProcess.sampleInto(s, "");
      clientProcess.sampleInto(s, "client_");
      long clientGc = clientGcMillis();
      s.put("client_gc_pause_ms", clientGc - lastClientGc);
      lastClientGc = clientGc;
      out.printf(Locale.ROOT, "%5ds  %,6.0f req/s  p50 %5.2f ms  p99 %6.2f ms  %,6.0f ev/s  lag %,d  live %,d MB  rss %,d MB"
              + "  gc %d ms (client %d ms)  cpu %.2f + client %.2f  %s%n",
          s.get("t_s").asLong(), s.get("req_per_s").asDouble(), s.get("p50_ms").asDouble(), s.get("p99_ms").asDouble(),
          s.get("events_per_s").asDouble(), need(status, "lag_events").asLong(), s.get("heap_live_after_gc_mb").asLong(),
          s.get("rss_mb").asLong(), s.get("gc_pause_ms").asLong(), s.get("client_gc_pause_ms").asLong(),
          s.get("cpu_cores").asDouble(),
          s.get("client_cpu_cores").asDouble(), s.get("cpu_cores_by_thread"));
      out.flush();
      lastReads = readsNow;
      lastEvents = eventsNow;
      lastSample = now;
      lastJvm = jvm;
    }
    double measured = (System.nanoTime() - measuredStart) / 1e9;
    long measuredReads = reads.get() - reads0;
    long measuredEvents = eventsSent.get() - events0;
    long storedAtEnd = need(api.get("/v1/stats"), "events").asLong();
    Histogram allEndToEnd = endToEnd.getIntervalHistogram();
    stop = true;
    pool.shutdown();
    pool.awaitTermination(30, TimeUnit.SECONDS);
    if (probePool != null) {
      probePool.shutdown();
      probePool.awaitTermination(30, TimeUnit.SECONDS);
    }

    ObjectNode report = Json.object();
    report.set("machine", BenchCommand.machine());
    ObjectNode setup = report.putObject("setup");
    setup.put("model", model);
    if (usesBprOptions()) {
      setup.put("factors", factors);
      setup.put("online_steps", onlineSteps);
      setup.put("online_replay", onlineReplay);
    } else {
      setup.put("config", modelConfig == null ? "the server's defaults" : modelConfig.toString());
    }
    setup.put("rerank_candidates", rerankCandidates);
    setup.put("items", items);
    setup.put("users", users);
    setup.put("seeded_events", events);
    setup.put("strategy", "online");
    setup.put("search", search);
    setup.put("target_req_per_s", rate);
    setup.put("target_events_per_s", ingest);
    setup.put("events_per_request", batch);
    setup.put("warmup_s", warmup);
    setup.put("measured_s", measured);
    setup.put("server", "perennial serve in its own JVM: " + serverJvmOptions);
    setup.put("client", "Apache HttpClient (classic, blocking) in the bench's JVM, open-loop pacing, latency from the intended start");
    ObjectNode recs = report.putObject("recommendations");
    recs.put("requests", measuredReads);
    recs.put("req_per_s", measuredReads / measured);
    recs.put("errors", readErrors.get());
    latency(recs, allReads);
    ObjectNode ing = report.putObject("ingest");
    ing.put("events", measuredEvents);
    ing.put("events_per_s", measuredEvents / measured);
    ing.put("errors", writeErrors.get());
    latency(ing, allWrites);
    if (kafka != null) {
      ObjectNode k = report.putObject("kafka");
      k.put("topic", kafkaTopic);
      k.put("partitions", kafkaPartitions);
      k.put("bootstrap", kafkaBootstrap);
      k.put("produced_events_per_s", measuredEvents / measured);
      k.put("stored_events_per_s", (storedAtEnd - storedAtStart) / measured);
      k.put("send_errors", writeErrors.get() + kafka.failed());
      ObjectNode e2e = k.putObject("record_to_visible_ms");
      e2e.put("what", "probe events: from the record's timestamp (set when sent) until GET /v1/users/{probe}/recommendations "
          + "is no longer the fallback, polled every " + PROBE_POLL_MILLIS + " ms");
      e2e.put("probes", allEndToEnd.getTotalCount());
      e2e.put("timeouts", probeTimeouts.get());
      e2e.put("p50", allEndToEnd.getValueAtPercentile(50));
      e2e.put("p90", allEndToEnd.getValueAtPercentile(90));
      e2e.put("p99", allEndToEnd.getValueAtPercentile(99));
      e2e.put("max", allEndToEnd.getMaxValue());
      k.set("server", need(api.get("/v1/stats"), "kafka"));
      out.printf(Locale.ROOT, "kafka: %,.0f events/s produced, %,.0f events/s stored; record to visible p50 %d ms, p99 %d ms, "
              + "max %d ms over %,d probes (%d timed out)%n", k.get("produced_events_per_s").asDouble(),
          k.get("stored_events_per_s").asDouble(), e2e.get("p50").asLong(), e2e.get("p99").asLong(),
          e2e.get("max").asLong(), e2e.get("probes").asLong(), probeTimeouts.get());
    }
    JsonNode status = api.get("/v1/learner");
    ObjectNode lag = report.putObject("learner");
    lag.put("max_lag_events", maxLagEvents);
    lag.put("max_lag_s", maxLagSeconds);
    lag.put("final_lag_events", need(status, "lag_events").asLong());
    lag.put("updates_rejected", need(status, "updates_rejected").asLong());
    lag.put("prequential_hr10", need(status, "prequential_hr10").asDouble());
    ServerApi.Visibility v = api.jvm().visibilitySince(atStart);
    ObjectNode visible = report.putObject("commit_to_visible_ms");
    visible.put("window", "events the learner applied during the measured time, from the server's histogram "
        + "(percentiles are the upper bound of their bucket)");
    visible.put("events", v.events());
    visible.put("p50_at_most", v.percentileAtMostMillis(50));
    visible.put("p90_at_most", v.percentileAtMostMillis(90));
    visible.put("p99_at_most", v.percentileAtMostMillis(99));
    visible.put("p99_9_at_most", v.percentileAtMostMillis(99.9));
    visible.put("share_within_100ms", v.shareWithin(0.1));
    visible.put("share_within_1s", v.shareWithin(1.0));
    JsonNode sinceStart = need(status, "visibility");
    visible.put("max_since_caught_up", need(sinceStart, "max").asLong());
    report.set("search", need(api.get("/v1/stats"), "search"));
    report.set("samples", samples);
    out.printf(Locale.ROOT, "recommendations: %,.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors%n",
        recs.get("req_per_s").asDouble(), recs.get("p50_ms").asDouble(), recs.get("p99_ms").asDouble(), readErrors.get());
    out.printf(Locale.ROOT, "ingest: %,.0f events/s, p99 %.2f ms per batch of %d, %d errors%n",
        ing.get("events_per_s").asDouble(), ing.get("p99_ms").asDouble(), batch, writeErrors.get());
    out.printf(Locale.ROOT, "learner lag: max %,d events / %.2f s; commit-to-visible p50 <= %.0f ms, p99 <= %.0f ms, "
            + "%.4f within 100 ms, %.5f within 1 s%n",
        maxLagEvents, maxLagSeconds, visible.get("p50_at_most").asDouble(), visible.get("p99_at_most").asDouble(),
        visible.get("share_within_100ms").asDouble(), visible.get("share_within_1s").asDouble());
    return report;
  }

  private void readLoop(ServerApi api, int reader) {
    SplittableRandom random = new SplittableRandom(seed * 31 + reader);
    double interval = 1e9 * readers / rate;
    long n = 0;
    long start = scheduleStart;
    while (!stop) {
      if (start != scheduleStart) {
        start = scheduleStart;
        n = 0;
      }
      long intended = start + (long) (interval * n++) + (long) (interval * reader / readers);
      pace(intended);
      String user = SyntheticGenerator.userId(random.nextInt(users));
      try {
        if (api.status("/v1/users/" + user + "/recommendations?k=10", null) != 200) {
          readErrors.incrementAndGet();
        }
      } catch (IOException e) {
        readErrors.incrementAndGet();
      }
      readLatency.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
      reads.incrementAndGet();
    }
  }

  private void writeLoop(ServerApi api, int writer) {
    if (ingest == 0) {
      return;
    }
    double interval = 1e9 * writers * batch / ingest;
    long n = 0;
    long start = scheduleStart;
    StringBuilder body = new StringBuilder(batch * 80);
    while (!stop) {
      if (start != scheduleStart) {
        start = scheduleStart;
        n = 0;
      }
      long intended = start + (long) (interval * n++) + (long) (interval * writer / writers);
      pace(intended);
      body.setLength(0);
      body.append('[');
      long now = System.currentTimeMillis() / 1000;
      synchronized (stream) {
        for (int e = 0; e < batch; e++) {
          Interaction i = stream.next();
          if (e > 0) {
            body.append(',');
          }
          body.append("{\"user\":\"").append(SyntheticGenerator.userId(i.user()))
              .append("\",\"item\":\"").append(SyntheticGenerator.itemId(i.item()))
              .append("\",\"type\":\"").append(i.type().wireName())
              .append("\",\"timestamp\":").append(now).append('}');
        }
      }
      body.append(']');
      if (kafka != null) {
        try {
          eventsSent.addAndGet(kafka.sendArray(body.toString()));
        } catch (RuntimeException e) {
          writeErrors.incrementAndGet();
        }
        writeLatency.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
        continue;
      }
      try {
        if (api.status("/v1/events", body.toString()) == 200) {
          eventsSent.addAndGet(batch);
        } else {
          writeErrors.incrementAndGet();
        }
      } catch (IOException e) {
        writeErrors.incrementAndGet();
      }
      writeLatency.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
    }
  }

  private static final int PROBE_THREADS = 4;
  private static final long PROBE_POLL_MILLIS = 10;
  private final Recorder endToEnd = new Recorder(3);
  private final AtomicLong probeTimeouts = new AtomicLong();

  /**
   * Sends a probe event for a user never seen, stamped with the time it is sent, then polls that
   * user's recommendations until they are no longer the fallback: the record is then in the store,
   * learned, and visible to recommendations.
   */
  private void probeLoop(ServerApi api, int thread) {
    double interval = 1e9 * PROBE_THREADS / probes;
    long n = 0;
    long start = scheduleStart;
    SplittableRandom random = new SplittableRandom(seed * 17 + thread);
    while (!stop) {
      if (start != scheduleStart) {
        start = scheduleStart;
        n = 0;
      }
      pace(start + (long) (interval * n++) + (long) (interval * thread / PROBE_THREADS));
      String user = "probe-" + thread + "-" + System.nanoTime();
      String item = SyntheticGenerator.itemId(random.nextInt(items));
      long sentAt = System.currentTimeMillis();
      try {
        kafka.sendProbe(user, item, sentAt);
        long deadline = sentAt + 30_000;
        boolean visible = false;
        while (!visible && System.currentTimeMillis() < deadline && !stop) {
          JsonNode r = api.get("/v1/users/" + user + "/recommendations?k=1");
          visible = !need(r, "fallback").asBoolean();
          if (!visible) {
            Thread.sleep(PROBE_POLL_MILLIS);
          }
        }
        if (visible) {
          endToEnd.recordValue(Math.max(0, System.currentTimeMillis() - sentAt));
        } else if (!stop) {
          probeTimeouts.incrementAndGet();
        }
      } catch (IOException | RuntimeException e) {
        probeTimeouts.incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void pace(long intendedNanos) {
    long wait = intendedNanos - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A field the server's answer must have: a renamed field fails the bench instead of reading as 0. */
  private static JsonNode need(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw new IllegalStateException("the server's answer has no '" + field + "': " + node);
    }
    return value;
  }

  private static void latency(ObjectNode node, Histogram h) {
    node.put("p50_ms", h.getValueAtPercentile(50) / 1000.0);
    node.put("p90_ms", h.getValueAtPercentile(90) / 1000.0);
    node.put("p99_ms", h.getValueAtPercentile(99) / 1000.0);
    node.put("p99_9_ms", h.getValueAtPercentile(99.9) / 1000.0);
    node.put("max_ms", h.getMaxValue() / 1000.0);
  }

  /** The load client's own collection time: its pauses delay requests it then charges to the server. */
  private static long clientGcMillis() {
    long sum = 0;
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      List<Path> all = new ArrayList<>(paths.toList());
      Collections.reverse(all);
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    }
  }
}
