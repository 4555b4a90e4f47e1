package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The figures {@code bench serve} reads about the server: its Prometheus JVM meters and /proc. */
class ServeBenchProbesTest {

  @Test
  void jvmFiguresAreSummedFromThePrometheusExposition() {
    String exposition = """
        # HELP jvm_memory_used_bytes The amount of used memory
        # TYPE jvm_memory_used_bytes gauge
        jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.048576E8
        jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.097152E8
        jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
        jvm_gc_live_data_size_bytes 3.0E8
        jvm_gc_memory_allocated_bytes_total 7.0E9
        jvm_gc_pause_seconds_count{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 40.0
        jvm_gc_pause_seconds_sum{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.2
        jvm_gc_pause_seconds_count{action="end of minor GC",cause="G1 Humongous Allocation",gc="G1 Young Generation"} 2.0
        jvm_gc_pause_seconds_sum{action="end of minor GC",cause="G1 Humongous Allocation",gc="G1 Young Generation"} 0.05
        jvm_gc_pause_seconds_max{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.012
        jvm_gc_pause_seconds_max{action="end of minor GC",cause="G1 Humongous Allocation",gc="G1 Young Generation"} 0.03
        perennial_learner_visibility_seconds_bucket{le="0.1"} 90.0
        perennial_learner_visibility_seconds_bucket{le="1.0"} 99.0
        perennial_learner_visibility_seconds_bucket{le="+Inf"} 100.0
        not a sample line
        """;
    ServerApi.JvmFigures f = ServerApi.JvmFigures.parse(exposition);
    assertThat(f.heapUsedBytes()).isEqualTo(314_572_800L);
    assertThat(f.liveAfterGcBytes()).isEqualTo(300_000_000L);
    assertThat(f.allocatedBytes()).isEqualTo(7_000_000_000L);
    assertThat(f.gcPauses()).isEqualTo(42);
    assertThat(f.gcPauseSeconds()).isCloseTo(0.25, within(1e-9));
    assertThat(f.gcPauseMaxSeconds()).isCloseTo(0.03, within(1e-9));
    ServerApi.Visibility all = f.visibilitySince(ServerApi.JvmFigures.parse(""));
    assertThat(all.events()).isEqualTo(100);
    assertThat(all.shareWithin(1.0)).isCloseTo(0.99, within(1e-9));
    assertThat(all.percentileAtMostMillis(50)).isEqualTo(100.0);
    assertThat(all.percentileAtMostMillis(99)).isEqualTo(1000.0);
    assertThat(all.percentileAtMostMillis(99.9)).isInfinite();
  }

  @Test
  void visibilityOfAWindowSubtractsTheEarlierCounts() {
    ServerApi.JvmFigures before = ServerApi.JvmFigures.parse("""
        perennial_learner_visibility_seconds_bucket{le="0.1"} 10.0
        perennial_learner_visibility_seconds_bucket{le="1.0"} 10.0
        perennial_learner_visibility_seconds_bucket{le="+Inf"} 50.0
        """);
    ServerApi.JvmFigures after = ServerApi.JvmFigures.parse("""
        perennial_learner_visibility_seconds_bucket{le="0.1"} 110.0
        perennial_learner_visibility_seconds_bucket{le="1.0"} 110.0
        perennial_learner_visibility_seconds_bucket{le="+Inf"} 150.0
        """);
    ServerApi.Visibility window = after.visibilitySince(before);
    // the 40 slow events were all before the window
    assertThat(window.events()).isEqualTo(100);
    assertThat(window.shareWithin(1.0)).isEqualTo(1.0);
    assertThat(window.shareWithin(0.5)).as("not a bucket bound").isNaN();
  }

  @Test
  void processSamplerAttributesCpuToThreadGroupsAndReadsRss() throws Exception {
    if (!Files.isDirectory(Path.of("/proc/self/task"))) {
      return; // /proc is Linux only; CI runs on Linux
    }
    ProcessSampler sampler = new ProcessSampler(ProcessHandle.current().pid());
    CountDownLatch spun = new CountDownLatch(1);
    CountDownLatch sampled = new CountDownLatch(1);
    Thread busy = new Thread(() -> {
      long until = System.nanoTime() + 300_000_000L;
      double x = 0;
      while (System.nanoTime() < until) {
        x += Math.sqrt(x + 1);
      }
      spun.countDown();
      try {
        // stays alive until sampled: /proc lists live threads only
        sampled.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "perennial-learner");
    busy.start();
    spun.await();
    ObjectNode sample = Json.object();
    sampler.sampleInto(sample, "x_");
    assertThat(sample.get("x_cpu_cores").asDouble()).isPositive();
    // a thread named like the learner that spun for 0.3 s shows up in its group
    assertThat(sample.get("x_cpu_cores_by_thread").get("learner").asDouble()).isPositive();
    assertThat(sample.get("x_rss_mb").asLong()).isPositive();
    sampled.countDown();
    busy.join();
  }
}
