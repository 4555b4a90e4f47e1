package io.perennial.model.ials;

import io.perennial.model.UserHistory;
import java.util.BitSet;

/**
 * One side of the interaction matrix in contiguous compressed-row form: row {@code r}'s observed
 * columns are {@code cols[offsets[r] .. offsets[r + 1])} with their values alongside. The half-steps
 * stream it in row order, so a whole pass reads two arrays front to back instead of one small array
 * per row scattered over the heap.
 */
final class ConfidenceRows {

  private final int[] offsets;
  private final int[] cols;
  private final float[] values;

  private ConfidenceRows(int[] offsets, int[] cols, float[] values) {
    this.offsets = offsets;
    this.cols = cols;
    this.values = values;
  }

  /** Users → their items, in item order. */
  static ConfidenceRows ofUsers(UserHistory history) {
    int users = history.users();
    int[] offsets = new int[users + 1];
    for (int u = 0; u < users; u++) {
      offsets[u + 1] = offsets[u] + history.items(u).length;
    }
    int[] cols = new int[offsets[users]];
    float[] values = new float[offsets[users]];
    for (int u = 0; u < users; u++) {
      int[] its = history.items(u);
      System.arraycopy(its, 0, cols, offsets[u], its.length);
      System.arraycopy(history.values(u), 0, values, offsets[u], its.length);
    }
    return new ConfidenceRows(offsets, cols, values);
  }

  /** Items → their users, in user order; rows outside {@code only} (when not null) are left empty. */
  static ConfidenceRows ofItems(UserHistory history, int items, BitSet only) {
    int[] offsets = new int[items + 1];
    for (int u = 0; u < history.users(); u++) {
      for (int i : history.items(u)) {
        if (only == null || only.get(i)) {
          offsets[i + 1]++;
        }
      }
    }
    for (int i = 0; i < items; i++) {
      offsets[i + 1] += offsets[i];
    }
    int[] cols = new int[offsets[items]];
    float[] values = new float[offsets[items]];
    int[] fill = java.util.Arrays.copyOf(offsets, items);
    for (int u = 0; u < history.users(); u++) {
      int[] its = history.items(u);
      float[] vals = history.values(u);
      for (int n = 0; n < its.length; n++) {
        int i = its[n];
        if (only == null || only.get(i)) {
          cols[fill[i]] = u;
          values[fill[i]++] = vals[n];
        }
      }
    }
    return new ConfidenceRows(offsets, cols, values);
  }

  int rows() {
    return offsets.length - 1;
  }

  int start(int row) {
    return offsets[row];
  }

  int end(int row) {
    return offsets[row + 1];
  }

  int[] cols() {
    return cols;
  }

  float[] values() {
    return values;
  }

  /** Observed entries in all rows. */
  long nonZeros() {
    return cols.length;
  }

  /**
   * Splits the rows to solve ({@code targets}, or all rows when null; {@code count} of them) into
   * chunks of similar cost, at most {@code maxRows} rows each: a row costs its observed entries
   * (a dot product and an update each per CG step) plus the dense {@code k × k} product, worth about
   * {@code k / 2} entries. Returns the chunk boundaries as positions in the target list, first 0,
   * last {@code count}. The split depends only on the data, never on the thread count, so a result
   * does not either.
   */
  int[] chunks(int[] targets, int count, int k, int maxRows) {
    long budget = (long) maxRows * k;
    int rowCost = Math.max(1, k / 2);
    int[] bounds = new int[count + 1];
    int chunks = 0;
    long cost = 0;
    int rowsInChunk = 0;
    for (int t = 0; t < count; t++) {
      int r = targets == null ? t : targets[t];
      cost += rowCost + (r < rows() ? end(r) - start(r) : 0);
      rowsInChunk++;
      if (cost >= budget || rowsInChunk == maxRows) {
        bounds[++chunks] = t + 1;
        cost = 0;
        rowsInChunk = 0;
      }
    }
    if (rowsInChunk > 0) {
      bounds[++chunks] = count;
    }
    return java.util.Arrays.copyOf(bounds, chunks + 1);
  }
}
