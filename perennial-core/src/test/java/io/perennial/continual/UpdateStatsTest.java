package io.perennial.continual;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The update accounting: the first training kept apart, per-event updates sampled one in eight. */
class UpdateStatsTest {

  /** Spins this thread for about {@code millis} of CPU time. */
  private static void burn(long millis) {
    long until = UpdateStats.cpuNanosNow() + millis * 1_000_000;
    while (UpdateStats.cpuNanosNow() < until) {
      Thread.onSpinWait();
    }
  }

  @Test
  void perEventUpdatesAllRunAndTheTimedOneCountsForItsSample() {
    UpdateStats stats = new UpdateStats();
    AtomicInteger runs = new AtomicInteger();
    for (int e = 0; e < UpdateStats.PER_EVENT_SAMPLE; e++) {
      int call = e;
      stats.timedPerEvent(() -> {
        runs.incrementAndGet();
        if (call == 1) {
          burn(30); // not the timed call of this run of eight: not counted
        }
      });
    }
    assertThat(runs).hasValue(UpdateStats.PER_EVENT_SAMPLE);
    assertThat(stats.cpuSeconds()).isLessThan(0.02);

    stats.timedPerEvent(() -> burn(20)); // the first of the next eight: timed, counted eight times
    assertThat(stats.cpuSeconds()).isGreaterThan(0.9 * 0.020 * UpdateStats.PER_EVENT_SAMPLE);
  }

  @Test
  void theFirstTrainingIsNotAnUpdate() {
    UpdateStats stats = new UpdateStats();
    String model = stats.timedInitial(() -> {
      burn(20);
      return "model";
    });
    assertThat(model).isEqualTo("model");
    assertThat(stats.initialCpuSeconds()).isGreaterThan(0.018);
    assertThat(stats.cpuSeconds()).isZero();
    stats.timed(() -> burn(10));
    assertThat(stats.cpuSeconds()).isGreaterThan(0.009).isLessThan(stats.initialCpuSeconds());
  }

  @Test
  void theClocksOwnCostIsNotCountedAsUpdateCpu() {
    assertThat(UpdateStats.CLOCK_OVERHEAD_NANOS).isPositive();
    UpdateStats stats = new UpdateStats();
    int events = 8_000;
    for (int e = 0; e < events; e++) {
      stats.timedPerEvent(() -> {});
    }
    // without the correction each empty update would count the overhead in full
    double perEventNanos = stats.cpuSeconds() * 1e9 / events;
    assertThat(perEventNanos).isLessThan(UpdateStats.CLOCK_OVERHEAD_NANOS);
  }
}
