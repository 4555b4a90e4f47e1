package io.perennial.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Interaction;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.server.PerennialServer;
import io.perennial.server.learn.LearnerStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * {@code perennial bench serve}: starts a server seeded from the synthetic generator, loads it on
 * loopback with paced recommendation requests and event batches at once, and reports latency,
 * throughput, learner lag, commit-to-visible delays and memory over time.
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

  @Option(names = "--factors", defaultValue = "64", description = "BPR factors. Default: ${DEFAULT-VALUE}.")
  int factors;

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

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (rate < 1 || ingest < 0 || batch < 1 || readers < 1 || writers < 1 || duration < 1 || warmup < 0) {
      throw new UserException("bench serve: --rate, --batch, --readers, --writers and --duration must be positive");
    }
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("perennial-bench-serve") : dataDir;
    ServeCommand o = serveOptions(dir);
    out.printf(Locale.ROOT, "starting the server (an empty store is seeded with %,d events, %,d users x %,d items, "
        + "and BPR with %d factors trained on them)...%n", events, users, items, factors);
    out.flush();
    long t0 = System.nanoTime();
    try (PerennialServer server = ServeCommand.start(o, out)) {
      awaitReady(server);
      double startup = (System.nanoTime() - t0) / 1e9;
      out.printf(Locale.ROOT, "ready after %.0f s: %s%n", startup, server.search().status());
      out.flush();
      ObjectNode report = run(server, out);
      report.put("startup_s", startup);
      if (json != null) {
        Json.write(json, report);
        out.println("wrote " + json);
      }
    } finally {
      if (temporary) {
        deleteTree(dir);
      }
    }
    return 0;
  }

  private ServeCommand serveOptions(Path dir) throws IOException {
    ServeCommand o = new ServeCommand();
    o.dataDir = dir;
    o.host = "127.0.0.1";
    o.port = 0;
    o.model = "bpr";
    Path config = Files.createTempFile("perennial-bench", ".json");
    Files.writeString(config, "{\"factors\":" + factors + "}");
    config.toFile().deleteOnExit();
    o.config = config;
    o.strategy = "online";
    o.updateEvery = 100_000;
    o.retrainEvery = 0;
    o.checkpointEvery = 60;
    o.minEvents = 1000;
    o.synthetic = true;
    o.events = events;
    o.users = users;
    o.items = items;
    o.seed = seed;
    o.search = search;
    o.keysFile = Files.createTempFile("perennial-bench", ".keys");
    Files.writeString(o.keysFile, KEY + ":admin\n");
    o.keysFile.toFile().deleteOnExit();
    o.maxBody = 4 << 20;
    o.rateLimit = 0;
    o.prequentialSample = 0.002;
    return o;
  }

  /** Waits until a model is served, the learner has caught up and the search is ready for that model. */
  private static void awaitReady(PerennialServer server) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (System.nanoTime() < deadline) {
      var served = server.learner().served();
      if (served != null && server.search().ready(served.model()) && server.learner().status().lagEvents() == 0) {
        return;
      }
      Thread.sleep(500);
    }
    throw new UserException("bench serve: the server was not ready within 30 minutes");
  }

  private ObjectNode run(PerennialServer server, PrintWriter out) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://127.0.0.1:" + server.port();
    stream = new SyntheticGenerator(SyntheticConfig.defaults().withEvents(Long.MAX_VALUE / 4).withSeed(seed)
        .withSize(users, items));
    for (long e = 0; e < events; e++) {
      stream.next();
    }
    ExecutorService pool = Executors.newFixedThreadPool(readers + writers);
    scheduleStart = System.nanoTime();
    for (int r = 0; r < readers; r++) {
      int reader = r;
      pool.submit(() -> readLoop(client, base, reader));
    }
    for (int w = 0; w < writers; w++) {
      int writer = w;
      pool.submit(() -> writeLoop(client, base, writer));
    }
    out.printf(Locale.ROOT, "warm-up %d s, then %d s measured at %,d req/s and %,d events/s%n", warmup, duration, rate, ingest);
    out.flush();
    Thread.sleep(warmup * 1000L);
    // Requests the warm-up (JIT, first index build) left behind are dropped, not charged to the measurement.
    scheduleStart = System.nanoTime();
    readLatency.getIntervalHistogram();
    writeLatency.getIntervalHistogram();
    server.learner().delays().reset();
    Histogram allReads = new Histogram(3);
    Histogram allWrites = new Histogram(3);
    ArrayNode samples = Json.MAPPER.createArrayNode();
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
      long now = System.nanoTime();
      Histogram r = readLatency.getIntervalHistogram();
      Histogram w = writeLatency.getIntervalHistogram();
      allReads.add(r);
      allWrites.add(w);
      double seconds = (now - lastSample) / 1e9;
      long readsNow = reads.get();
      long eventsNow = eventsSent.get();
      LearnerStatus status = server.learner().status();
      maxLagEvents = Math.max(maxLagEvents, status.lagEvents());
      maxLagSeconds = Math.max(maxLagSeconds, status.lagSeconds());
      ObjectNode s = samples.addObject();
      s.put("t_s", Math.round((now - measuredStart) / 1e9));
      s.put("req_per_s", (readsNow - lastReads) / seconds);
      s.put("events_per_s", (eventsNow - lastEvents) / seconds);
      s.put("p50_ms", r.getValueAtPercentile(50) / 1000.0);
      s.put("p99_ms", r.getValueAtPercentile(99) / 1000.0);
      s.put("learner_lag_events", status.lagEvents());
      s.put("learner_lag_s", status.lagSeconds());
      s.put("heap_used_mb", heapUsedMb());
      s.put("heap_after_gc_mb", heapAfterGcMb());
      s.put("rss_mb", rssMb());
      out.printf(Locale.ROOT, "%5ds  %,7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %,7.0f events/s  lag %,d events  heap %,d MB  rss %,d MB%n",
          s.get("t_s").asLong(), s.get("req_per_s").asDouble(), s.get("p50_ms").asDouble(), s.get("p99_ms").asDouble(),
          s.get("events_per_s").asDouble(), status.lagEvents(), s.get("heap_used_mb").asLong(), s.get("rss_mb").asLong());
      out.flush();
      lastReads = readsNow;
      lastEvents = eventsNow;
      lastSample = now;
    }
    double measured = (System.nanoTime() - measuredStart) / 1e9;
    long measuredReads = reads.get() - reads0;
    long measuredEvents = eventsSent.get() - events0;
    long[] delays = server.learner().delays().snapshot();
    stop = true;
    pool.shutdown();
    pool.awaitTermination(30, TimeUnit.SECONDS);

    ObjectNode report = Json.object();
    report.set("machine", BenchCommand.machine());
    ObjectNode setup = report.putObject("setup");
    setup.put("model", "bpr");
    setup.put("factors", factors);
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
    setup.put("client", "in-process java.net.http, open-loop pacing, latency from the intended start");
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
    ObjectNode lag = report.putObject("learner");
    LearnerStatus status = server.learner().status();
    lag.put("max_lag_events", maxLagEvents);
    lag.put("max_lag_s", maxLagSeconds);
    lag.put("final_lag_events", status.lagEvents());
    lag.put("updates_rejected", status.updatesRejected());
    lag.put("prequential_hr10", status.prequentialHr10());
    ObjectNode visible = report.putObject("commit_to_visible_ms");
    Arrays.sort(delays);
    visible.put("events", delays.length);
    for (double p : new double[] {50, 90, 99, 99.9}) {
      visible.put("p" + (p == 99.9 ? "99_9" : String.valueOf((int) p)), percentile(delays, p));
    }
    visible.put("max", delays.length == 0 ? 0 : delays[delays.length - 1]);
    visible.put("share_within_1s", share(delays, 1000));
    report.set("search", Json.MAPPER.valueToTree(server.search().status()));
    report.set("samples", samples);
    out.printf(Locale.ROOT, "recommendations: %,.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors%n",
        recs.get("req_per_s").asDouble(), recs.get("p50_ms").asDouble(), recs.get("p99_ms").asDouble(), readErrors.get());
    out.printf(Locale.ROOT, "ingest: %,.0f events/s, p99 %.2f ms per batch of %d, %d errors%n",
        ing.get("events_per_s").asDouble(), ing.get("p99_ms").asDouble(), batch, writeErrors.get());
    out.printf(Locale.ROOT, "learner lag: max %,d events / %.2f s; commit-to-visible p50 %d ms, p99 %d ms, max %d ms, %.4f within 1 s%n",
        maxLagEvents, maxLagSeconds, visible.get("p50").asLong(), visible.get("p99").asLong(), visible.get("max").asLong(),
        visible.get("share_within_1s").asDouble());
    return report;
  }

  private void readLoop(HttpClient client, String base, int reader) {
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
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/users/" + user + "/recommendations?k=10"))
          .header("Authorization", "Bearer " + KEY).GET().build();
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          readErrors.incrementAndGet();
        }
      } catch (IOException e) {
        readErrors.incrementAndGet();
      } catch (InterruptedException e) {
        return;
      }
      readLatency.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
      reads.incrementAndGet();
    }
  }

  private void writeLoop(HttpClient client, String base, int writer) {
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
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/events"))
          .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          eventsSent.addAndGet(batch);
        } else {
          writeErrors.incrementAndGet();
        }
      } catch (IOException e) {
        writeErrors.incrementAndGet();
      } catch (InterruptedException e) {
        return;
      }
      writeLatency.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
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

  private static void latency(ObjectNode node, Histogram h) {
    node.put("p50_ms", h.getValueAtPercentile(50) / 1000.0);
    node.put("p90_ms", h.getValueAtPercentile(90) / 1000.0);
    node.put("p99_ms", h.getValueAtPercentile(99) / 1000.0);
    node.put("p99_9_ms", h.getValueAtPercentile(99.9) / 1000.0);
    node.put("max_ms", h.getMaxValue() / 1000.0);
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int at = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, at))];
  }

  private static double share(long[] sorted, long atMost) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int within = 0;
    for (long v : sorted) {
      within += v <= atMost ? 1 : 0;
    }
    return (double) within / sorted.length;
  }

  private static long heapUsedMb() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
  }

  /** Heap in use right after the last collection of each pool: the live set, without garbage. */
  private static long heapAfterGcMb() {
    long sum = 0;
    for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null) {
        sum += pool.getCollectionUsage().getUsed();
      }
    }
    return sum >> 20;
  }

  /** Resident set size from /proc (Linux); -1 elsewhere. */
  private static long rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
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
