package io.perennial.continual;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** What keeping a model fresh cost: CPU and wall time in updates, and updates accepted/rejected. */
public final class UpdateStats {

  private long cpuNanos;
  private long wallNanos;
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
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() + io.perennial.model.Parallel.workerCpuNanos();
  }
}
