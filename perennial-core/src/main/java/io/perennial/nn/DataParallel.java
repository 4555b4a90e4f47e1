package io.perennial.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Data-parallel training over cores for a model held in one {@link ParameterSet}: each worker
 * runs forward and backward on its share of a batch into its own gradient array (and its own
 * touched-row sets for the embedding tables), then {@link #reduce()} sums the workers' gradients
 * into the set's, once per step, in worker order. The split of a batch is the caller's (give
 * worker {@code w} a fixed, contiguous share), so a step is deterministic for a given seed and
 * worker count. With one worker, the worker writes into the set's own gradient and nothing is
 * reduced.
 *
 * <p>The workers' activation buffers are the caller's too (one per worker, sized once): this class
 * holds only gradients and the thread pool. Close it to stop the pool.
 */
public final class DataParallel implements AutoCloseable {

  private final ParameterSet params;
  private final int workers;
  private final float[][] grads;
  private final List<List<RowSet>> touched;
  private final ExecutorService pool;

  /** {@code workers} ≥ 1 gradient replicas of {@code params} and a pool of {@code workers - 1} threads. */
  public DataParallel(ParameterSet params, int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    this.params = params;
    this.workers = workers;
    this.grads = new float[workers][];
    this.touched = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      grads[w] = w == 0 && workers == 1 ? params.grads() : new float[params.size()];
      List<RowSet> rows = new ArrayList<>();
      for (Tensor t : params.tensors()) {
        rows.add(t.isTable() ? (workers == 1 ? params.touched(t) : new RowSet(t.rows())) : null);
      }
      touched.add(rows);
    }
    this.pool = workers > 1 ? Executors.newFixedThreadPool(workers - 1, r -> {
      Thread t = new Thread(r, "perennial-data-parallel");
      t.setDaemon(true);
      return t;
    }) : null;
  }

  public int workers() {
    return workers;
  }

  /** The gradient array worker {@code w} accumulates into (same layout as {@link ParameterSet#grads()}). */
  public float[] grads(int w) {
    return grads[w];
  }

  /** Worker {@code w}'s record of the rows of {@code table} it touched. */
  public RowSet touched(int w, Tensor table) {
    int i = params.tensors().indexOf(table);
    if (i < 0 || !table.isTable()) {
      throw new IllegalArgumentException(table.name() + " is not an embedding table of this set");
    }
    return touched.get(w).get(i);
  }

  /**
   * Runs {@code body.accept(w)} for every worker {@code w}, worker 0 on the calling thread, and
   * returns when all have finished; a worker's failure is rethrown.
   */
  public void run(IntConsumer body) {
    if (pool == null) {
      body.accept(0);
      return;
    }
    List<Future<?>> futures = new ArrayList<>(workers - 1);
    for (int w = 1; w < workers; w++) {
      int id = w;
      futures.add(pool.submit(() -> body.accept(id)));
    }
    RuntimeException failure = null;
    try {
      body.accept(0);
    } catch (RuntimeException e) {
      failure = e;
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for workers", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Adds every worker's gradient into the set's ({@code +=}, so the set's must be zero or hold what
   * should be kept), records the touched table rows in the set, and zeroes the workers' arrays.
   * Dense tensors are summed whole; tables by their touched rows only.
   */
  public void reduce() {
    if (workers == 1) {
      return;
    }
    float[] target = params.grads();
    List<Tensor> tensors = params.tensors();
    for (int w = 0; w < workers; w++) {
      float[] g = grads[w];
      for (int i = 0; i < tensors.size(); i++) {
        Tensor t = tensors.get(i);
        if (t.isTable()) {
          RowSet rows = touched.get(w).get(i);
          RowSet into = params.touched(t);
          int c = t.cols();
          for (int j = 0; j < rows.size(); j++) {
            int at = t.offset() + rows.get(j) * c;
            addAndClear(g, target, at, c);
            into.add(rows.get(j));
          }
          rows.clear();
        } else {
          addAndClear(g, target, t.offset(), t.size());
        }
      }
    }
  }

  private static void addAndClear(float[] from, float[] into, int at, int n) {
    for (int i = at; i < at + n; i++) {
      into[i] += from[i];
    }
    Arrays.fill(from, at, at + n, 0f);
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
