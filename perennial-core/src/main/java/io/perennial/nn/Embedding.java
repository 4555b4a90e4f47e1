package io.perennial.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Embedding lookup {@code out[r] = E[ids[r]]} over a table E {@code (V, C)}; an id of {@code -1}
 * is padding and gives a zero row (and no gradient). The gradient is sparse by rows: backward
 * adds into the touched rows only and records them in a {@link RowSet}, so the optimiser updates
 * only those rows (lazily). Shapes: ids {@code (BT)}, out {@code (BT, C)}.
 */
public final class Embedding {
  /** The id of a padding position. */
  public static final int PADDING = -1;

  private final Tensor table;
  private final int v;
  private final int c;

  public Embedding(ParameterSet.Builder params, String name, int v, int c) {
    this.v = v;
    this.c = c;
    this.table = params.table(name, v, c);
  }

  public Tensor table() {
    return table;
  }

  public int vocabulary() {
    return v;
  }

  public int channels() {
    return c;
  }

  /** Normal with standard deviation {@code std}. */
  public void init(ParameterSet p, float std, SplittableRandom rng) {
    p.normal(table, std, rng);
  }

  /** out (BT, C) = E[ids] (zero rows for id -1). */
  public void forward(float[] params, float[] out, int outOff, int[] ids, int idsOff, int bt) {
    for (int r = 0; r < bt; r++) {
      int id = ids[idsOff + r];
      int o = outOff + r * c;
      if (id == PADDING) {
        Arrays.fill(out, o, o + c, 0f);
      } else {
        System.arraycopy(params, rowOffset(id), out, o, c);
      }
    }
  }

  /** dE[ids[r]] += dout[r], recording each touched row in {@code touched}. */
  public void backward(float[] dparams, RowSet touched, float[] dout, int doutOff, int[] ids, int idsOff, int bt) {
    for (int r = 0; r < bt; r++) {
      int id = ids[idsOff + r];
      if (id == PADDING) {
        continue;
      }
      int g = rowOffset(id);
      int o = doutOff + r * c;
      for (int i = 0; i < c; i++) {
        dparams[g + i] += dout[o + i];
      }
      touched.add(id);
    }
  }

  private int rowOffset(int id) {
    if (id < 0 || id >= v) {
      throw new IndexOutOfBoundsException("id " + id + " outside the table of " + v + " rows");
    }
    return table.offset() + id * c;
  }
}
