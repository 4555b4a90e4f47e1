package io.perennial.continual;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What keeping a model fresh cost: CPU and wall time in updates, and updates accepted/rejected. The
 * first model's training is kept apart ({@link #initialCpuSeconds}): every strategy pays it once,
 * and it is not what keeping the model fresh costs.
 */
public final class UpdateStats {

  /**
   * A per-event update is timed on one event in this many, and that event's time counted this many
   * times. Reading the thread's CPU clock costs ~1.4 µs on the VMs measured (a system call), about a
   * quarter of a per-event iALS update, so timing every event would inflate the figure it reports;
   * an evenly spaced sample of a stream's events estimates the sum without that bias.
   */
  public static final int PER_EVENT_SAMPLE = 8;

  /**
   * CPU nanoseconds an empty timed window reads: the part of the two clock reads that falls between
   * them (the median of a few hundred, measured once). About 1.5 µs on the VMs measured, a tenth of
   * a per-event iALS update run between recommendations and a quarter of one in a tight loop, so it
   * is subtracted from each timed per-event update rather than counted as update CPU.
   */
  static final long CLOCK_OVERHEAD_NANOS = measureClockOverhead();

  private static long measureClockOverhead() {
    long[] windows = new long[301];
    for (int warm = 0; warm < 100; warm++) {
      cpuNanosNow();
    }
    for (int n = 0; n < windows.length; n++) {
      long c0 = cpuNanosNow();
      windows[n] = cpuNanosNow() - c0;
    }
    java.util.Arrays.sort(windows);
    return windows[windows.length / 2];
  }

  private long cpuNanos;
  private long wallNanos;
  private long initialCpuNanos;
  private long initialWallNanos;
  private long perEventCalls;
  private int accepted;
  private int rejected;
  private final List<String> log = new ArrayList<>();

  /** Runs {@code update}, adding its CPU time (this thread and engine workers) and wall time. */
  public <T> T timed(Supplier<T> update) {
    long cpu0 = cpuNanosNow();
    long wall0 = System.nanoTime();
    try {
      return update.get();
    } finally {
      cpuNanos += cpuNanosNow() - cpu0;
      wallNanos += System.nanoTime() - wall0;
    }
  }

  public void timed(Runnable update) {
    timed(() -> {
      update.run();
      return null;
    });
  }

  /** Runs the first model's training, timed apart from the updates. */
  public <T> T timedInitial(Supplier<T> training) {
    long cpu0 = cpuNanosNow();
    long wall0 = System.nanoTime();
    try {
      return training.get();
    } finally {
      initialCpuNanos += cpuNanosNow() - cpu0;
      initialWallNanos += System.nanoTime() - wall0;
    }
  }

  /**
   * Runs one event's update, timing one call in {@link #PER_EVENT_SAMPLE} (the first of each run of
   * that many) and counting its time for all of them, less the clock's own cost ({@link
   * #CLOCK_OVERHEAD_NANOS}).
   */
  public void timedPerEvent(Runnable update) {
    if (perEventCalls++ % PER_EVENT_SAMPLE != 0) {
      update.run();
      return;
    }
    long cpu0 = cpuNanosNow();
    long wall0 = System.nanoTime();
    try {
      update.run();
    } finally {
      cpuNanos += Math.max(0, cpuNanosNow() - cpu0 - CLOCK_OVERHEAD_NANOS) * PER_EVENT_SAMPLE;
      wallNanos += (System.nanoTime() - wall0) * PER_EVENT_SAMPLE;
    }
  }

  /** Adds time measured elsewhere (a wrapped strategy's updates). */
  public void addExternal(double cpuSeconds, double wallSeconds) {
    cpuNanos += (long) (cpuSeconds * 1e9);
    wallNanos += (long) (wallSeconds * 1e9);
  }

  public void accepted() {
    accepted++;
  }

  /** Counts a rejected update and keeps its reason (with the figures) for the report. */
  public void rejected(String reason) {
    rejected++;
    if (log.size() < 1000) {
      log.add(reason);
    }
  }

  public double cpuSeconds() {
    return cpuNanos / 1e9;
  }

  public double wallSeconds() {
    return wallNanos / 1e9;
  }

  /** CPU seconds of the first model's training (not in {@link #cpuSeconds}). */
  public double initialCpuSeconds() {
    return initialCpuNanos / 1e9;
  }

  /** Wall seconds of the first model's training (not in {@link #wallSeconds}). */
  public double initialWallSeconds() {
    return initialWallNanos / 1e9;
  }

  public int acceptedCount() {
    return accepted;
  }

  public int rejectedCount() {
    return rejected;
  }

  public List<String> rejections() {
    return List.copyOf(log);
  }

  /**
   * CPU time of the calling thread plus the engine's worker threads, so multi-threaded retrains
   * count in full while GC and JIT-compiler threads (noise unrelated to the update) do not.
   */
  public static long cpuNanosNow() {
    return io.perennial.model.Parallel.cpuNanosNow();
  }
}
