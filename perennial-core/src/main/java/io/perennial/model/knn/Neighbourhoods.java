package io.perennial.model.knn;

import io.perennial.kernel.TopK;
import io.perennial.model.Parallel;
import io.perennial.model.UserHistory;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Computes top-N cosine neighbours of items from user histories. Each item's list is stored sorted
 * by neighbour id (for binary-search lookups in {@code score}).
 */
final class Neighbourhoods {

  private Neighbourhoods() {}

  /** Item → users transpose of the histories, as CSR arrays. */
  record ItemUsers(int[] start, int[] users, float[] values, float[] norms) {}

  static ItemUsers transpose(UserHistory history, int items) {
    int[] start = new int[items + 1];
    for (int u = 0; u < history.users(); u++) {
      for (int i : history.items(u)) {
        start[i + 1]++;
      }
    }
    for (int i = 0; i < items; i++) {
      start[i + 1] += start[i];
    }
    int[] fill = Arrays.copyOf(start, items);
    int[] users = new int[start[items]];
    float[] values = new float[start[items]];
    float[] norms = new float[items];
    for (int u = 0; u < history.users(); u++) {
      int[] its = history.items(u);
      float[] vals = history.values(u);
      for (int k = 0; k < its.length; k++) {
        int p = fill[its[k]]++;
        users[p] = u;
        values[p] = vals[k];
        norms[its[k]] += vals[k] * vals[k];
      }
    }
    for (int i = 0; i < items; i++) {
      norms[i] = (float) Math.sqrt(norms[i]);
    }
    return new ItemUsers(start, users, values, norms);
  }

  /**
   * Recomputes the neighbour lists of {@code targets} (all items when {@code null}) into {@code
   * ids} and {@code sims}.
   */
  static void compute(UserHistory history, ItemUsers byItem, int items, ItemKnnConfig config,
      int[] targets, int[][] ids, float[][] sims) {
    int count = targets == null ? items : targets.length;
    AtomicInteger next = new AtomicInteger();
    Runnable worker = () -> {
      float[] acc = new float[items];
      // Seen-marks apart from the sums: a sum can be 0 after items were met (ratings of 0, values
      // that cancel), and taking 0 for "not met yet" listed such items again and again.
      boolean[] met = new boolean[items];
      int[] touched = new int[items];
      // "neighbours" may exceed the catalogue (keep them all): size the heap by what can be kept.
      int keep = Math.min(config.neighbours(), Math.max(items - 1, 0));
      TopK top = new TopK(keep);
      int t;
      while ((t = next.getAndIncrement()) < count) {
        int i = targets == null ? t : targets[t];
        int nTouched = 0;
        for (int p = byItem.start()[i]; p < byItem.start()[i + 1]; p++) {
          int u = byItem.users()[p];
          float rui = byItem.values()[p];
          int[] its = history.items(u);
          float[] vals = history.values(u);
          for (int k = 0; k < its.length; k++) {
            int j = its[k];
            if (j == i) {
              continue;
            }
            if (!met[j]) {
              met[j] = true;
              touched[nTouched++] = j;
            }
            acc[j] += rui * vals[k];
          }
        }
        top.reset(keep);
        for (int n = 0; n < nTouched; n++) {
          int j = touched[n];
          float sim = acc[j] / (byItem.norms()[i] * byItem.norms()[j] + config.shrinkage());
          acc[j] = 0;
          met[j] = false;
          if (sim > 0) {
            top.offer(j, sim);
          }
        }
        int[] nIds = new int[top.size()];
        float[] nSims = new float[top.size()];
        top.drainTo(nIds, nSims);
        sortById(nIds, nSims);
        ids[i] = nIds;
        sims[i] = nSims;
      }
    };
    Parallel.run(worker, Math.min(config.threads(), Math.max(1, count / 64)));
  }

  private static void sortById(int[] ids, float[] sims) {
    long[] packed = new long[ids.length];
    for (int k = 0; k < ids.length; k++) {
      packed[k] = ((long) ids[k] << 32) | (Float.floatToRawIntBits(sims[k]) & 0xffffffffL);
    }
    Arrays.sort(packed);
    for (int k = 0; k < ids.length; k++) {
      ids[k] = (int) (packed[k] >>> 32);
      sims[k] = Float.intBitsToFloat((int) packed[k]);
    }
  }
}
