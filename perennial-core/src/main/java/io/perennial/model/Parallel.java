package io.perennial.model;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs one worker body on several threads and waits for all of them: the shape every data-parallel
 * loop here takes (workers pull row indices or chunks from a shared counter).
 *
 * <p>The threads belong to one persistent pool: an iALS training runs two parallel half-steps per
 * iteration, and building a pool for each cost more than the smaller half-step itself. The calling
 * thread runs one share of the work, so {@code threads} workers take {@code threads − 1} hand-offs.
 * A worker may itself call {@link #run}: the pool grows rather than queue, so nesting cannot
 * deadlock; idle threads end after a minute.
 */
public final class Parallel {

  private static final LongAdder WORKER_CPU = new LongAdder();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
  private static final ExecutorService POOL = newPool();

  private Parallel() {}

  private static ExecutorService newPool() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "perennial-worker-" + THREAD_NUMBER.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    return pool;
  }

  /**
   * CPU nanoseconds spent so far by pool threads on work handed out here (not by the calling
   * threads, which account their own share), so callers can account a parallel update's full CPU
   * cost without counting GC or JIT threads.
   */
  public static long workerCpuNanos() {
    return WORKER_CPU.sum();
  }

  /**
   * CPU nanoseconds of the calling thread plus {@link #workerCpuNanos}: the difference of two
   * readings is what a (possibly parallel) piece of work run between them cost, GC and JIT threads
   * left out. One reading costs about a microsecond (a clock system call).
   */
  public static long cpuNanosNow() {
    return THREADS.getCurrentThreadCpuTime() + WORKER_CPU.sum();
  }

  /**
   * Runs {@code worker} on {@code threads} threads (inline when 1; otherwise the caller plus
   * {@code threads − 1} pool threads) and returns when all finish. A failure in any worker is
   * rethrown after the others have finished.
   */
  public static void run(Runnable worker, int threads) {
    if (threads <= 1) {
      worker.run();
      return;
    }
    Runnable measured = () -> {
      long start = THREADS.getCurrentThreadCpuTime();
      try {
        worker.run();
      } finally {
        WORKER_CPU.add(THREADS.getCurrentThreadCpuTime() - start);
      }
    };
    List<Future<?>> futures = new ArrayList<>(threads - 1);
    for (int t = 1; t < threads; t++) {
      futures.add(POOL.submit(measured));
    }
    Throwable failure = null;
    try {
      worker.run();
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    boolean interrupted = false;
    for (Future<?> f : futures) {
      while (true) {
        try {
          f.get();
          break;
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause();
          }
          break;
        } catch (InterruptedException e) {
          // the workers share state with the caller: wait for them all before returning
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure instanceof RuntimeException re) {
      throw re;
    }
    if (failure instanceof Error err) {
      throw err;
    }
    if (failure != null) {
      throw new IllegalStateException("worker failed", failure);
    }
  }
}
