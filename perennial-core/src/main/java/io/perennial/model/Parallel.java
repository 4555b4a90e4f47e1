package io.perennial.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one worker body on several threads and waits for all of them: the shape every data-parallel
 * loop here takes (workers pull row indices from a shared counter).
 */
public final class Parallel {

  private static final java.util.concurrent.atomic.LongAdder WORKER_CPU = new java.util.concurrent.atomic.LongAdder();
  private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

  private Parallel() {}

  /**
   * CPU nanoseconds spent so far by worker threads started here (not the calling threads), so
   * callers can account a parallel update's full CPU cost without counting GC or JIT threads.
   */
  public static long workerCpuNanos() {
    return WORKER_CPU.sum();
  }

  /**
   * Runs {@code worker} on {@code threads} threads (inline when 1) and returns when all finish.
   * A failure in any worker is rethrown.
   */
  public static void run(Runnable worker, int threads) {
    if (threads <= 1) {
      worker.run();
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "perennial-worker");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>(threads);
      Runnable measured = () -> {
        long start = THREADS.getCurrentThreadCpuTime();
        try {
          worker.run();
        } finally {
          WORKER_CPU.add(THREADS.getCurrentThreadCpuTime() - start);
        }
      };
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(measured));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("worker failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for workers", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
