package io.perennial.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.perennial.server.learn.Learner;
import io.perennial.server.learn.LearnerStatus;
import io.perennial.server.learn.ServedModel;
import io.perennial.server.store.EventStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server's metrics: Prometheus exposition through Micrometer ({@code /metrics}) plus the short
 * time series the dashboard draws ({@code /v1/series}), sampled every few seconds.
 */
public final class ServerMetrics implements AutoCloseable {

  private static final int MAX_POINTS = 720;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final Counter ingested;
  private final Counter rejected;
  private final Counter rateLimited;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "perennial-metrics");
    t.setDaemon(true);
    return t;
  });
  private final long[] latencyWindow = new long[8192];
  private int latencyCount;
  private final List<Map<String, Object>> series = new ArrayList<>();
  private final Map<String, Supplier<Object>> statusSections = new ConcurrentHashMap<>();
  private final List<Supplier<Map<String, Object>>> seriesSources = new CopyOnWriteArrayList<>();
  private double lastIngested;
  private long lastSampleNanos = System.nanoTime();

  public ServerMetrics(EventStore store, Learner learner, long sampleMillis) {
    ingested = Counter.builder("perennial.events.ingested").description("events stored").register(registry);
    rejected = Counter.builder("perennial.events.rejected").description("events refused as invalid").register(registry);
    rateLimited = Counter.builder("perennial.requests.rate_limited").description("requests answered 429").register(registry);
    Gauge.builder("perennial.events.stored", store, EventStore::count).register(registry);
    Gauge.builder("perennial.learner.lag.events", learner, l -> l.status().lagEvents()).register(registry);
    Gauge.builder("perennial.learner.lag.seconds", learner, l -> l.status().lagSeconds()).register(registry);
    Timer visibility = Timer.builder("perennial.learner.visibility")
        .description("time from an event's commit to its being live in the served model")
        .publishPercentileHistogram()
        .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofSeconds(1))
        .register(registry);
    learner.delays().onRecord(millis -> visibility.record(millis, TimeUnit.MILLISECONDS));
    Gauge.builder("perennial.learner.updates.rejected", learner, l -> l.status().updatesRejected()).register(registry);
    Gauge.builder("perennial.model.version", learner, l -> {
      ServedModel s = l.served();
      return s == null ? -1 : s.version();
    }).register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    // pauses, allocation rate and the live set after collections: what a soak's memory is judged by
    gcMetrics.bindTo(registry);
    sampler.scheduleAtFixedRate(() -> sample(learner), sampleMillis, sampleMillis, TimeUnit.MILLISECONDS);
  }

  /** The meter registry behind {@code /metrics}, for components that bring their own meters (Kafka). */
  public MeterRegistry meterRegistry() {
    return registry;
  }

  /** Adds {@code name} to {@code GET /v1/stats}, its value read from {@code section} at each request. */
  public void statusSection(String name, Supplier<Object> section) {
    statusSections.put(name, section);
  }

  Map<String, Object> statusSections() {
    Map<String, Object> out = new LinkedHashMap<>();
    statusSections.forEach((name, section) -> out.put(name, section.get()));
    return out;
  }

  /** Adds the fields {@code source} returns to every dashboard series point, from the next sample on. */
  public void seriesSource(Supplier<Map<String, Object>> source) {
    seriesSources.add(source);
  }

  /** Records one request's latency under its route. */
  void request(String method, String route, int status, long nanos) {
    String key = method + " " + route + " " + status;
    timers.computeIfAbsent(key, k -> Timer.builder("perennial.http.requests")
        .description("request latency")
        .tag("method", method).tag("route", route).tag("status", Integer.toString(status))
        .publishPercentileHistogram()
        .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10))
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Records the time spent computing one recommendation list (for the dashboard's latency chart). */
  void recommendation(long nanos) {
    synchronized (latencyWindow) {
      latencyWindow[latencyCount++ % latencyWindow.length] = nanos;
    }
  }

  void ingested(int stored, int invalid) {
    ingested.increment(stored);
    rejected.increment(invalid);
  }

  void rejectedEvents(int invalid) {
    rejected.increment(invalid);
  }

  void rateLimited() {
    rateLimited.increment();
  }

  String scrape() {
    return registry.scrape();
  }

  /** The dashboard's series: {"points": [{t, ingest_per_s, lag_events, p50_ms, p99_ms, hr10}, …]}. */
  Map<String, Object> series() {
    Map<String, Object> out = new LinkedHashMap<>();
    synchronized (series) {
      out.put("points", List.copyOf(series));
    }
    return out;
  }

  private void sample(Learner learner) {
    try {
      long now = System.nanoTime();
      double total = ingested.count();
      double rate = (total - lastIngested) / ((now - lastSampleNanos) / 1e9);
      lastIngested = total;
      lastSampleNanos = now;
      long[] lat;
      synchronized (latencyWindow) {
        lat = Arrays.copyOf(latencyWindow, Math.min(latencyCount, latencyWindow.length));
        latencyCount = 0;
      }
      Arrays.sort(lat);
      LearnerStatus st = learner.status();
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("t", System.currentTimeMillis());
      p.put("ingest_per_s", rate);
      p.put("lag_events", st.lagEvents());
      p.put("p50_ms", lat.length == 0 ? null : lat[lat.length / 2] / 1e6);
      p.put("p99_ms", lat.length == 0 ? null : lat[Math.min(lat.length - 1, (int) (lat.length * 0.99))] / 1e6);
      p.put("hr10", st.prequentialTests() == 0 ? null : st.prequentialHr10());
      p.put("model_version", learner.served() == null ? null : learner.served().version());
      for (Supplier<Map<String, Object>> source : seriesSources) {
        p.putAll(source.get());
      }
      synchronized (series) {
        series.add(p);
        if (series.size() > MAX_POINTS) {
          series.remove(0);
        }
      }
    } catch (RuntimeException e) {
      // a failed sample leaves a gap in the chart, nothing else
    }
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    gcMetrics.close();
    registry.close();
  }
}
