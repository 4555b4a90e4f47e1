package io.perennial.model.content;

import io.perennial.model.ModelState;
import java.util.Arrays;

/**
 * Item content vectors as sparse rows (compressed sparse rows), each of unit length or empty (an
 * item without metadata). Sparse because a TF-IDF vocabulary has thousands of columns while an item
 * has a few dozen terms; a dense text embedding is just a full row. Immutable, except that {@link
 * #grownTo} returns a copy with empty rows appended.
 */
public final class ItemFeatures {

  private final int dims;
  private final int[] rowStart;
  private final int[] columns;
  private final float[] values;

  /**
   * @param dims columns
   * @param rowStart row r is {@code [rowStart[r], rowStart[r+1])} of the other two (length items + 1)
   * @param columns column of each entry, ascending within a row
   * @param values value of each entry
   */
  public ItemFeatures(int dims, int[] rowStart, int[] columns, float[] values) {
    if (dims < 0 || rowStart.length == 0 || rowStart[0] != 0 || rowStart[rowStart.length - 1] != columns.length
        || columns.length != values.length) {
      throw new IllegalArgumentException("inconsistent sparse item features");
    }
    this.dims = dims;
    this.rowStart = rowStart;
    this.columns = columns;
    this.values = values;
  }

  /** Items with a row (dense indices {@code 0..items-1}). */
  public int items() {
    return rowStart.length - 1;
  }

  /** Columns. */
  public int dims() {
    return dims;
  }

  /** Whether {@code item} has any content (rows beyond {@link #items} have none). */
  public boolean hasContent(int item) {
    return item >= 0 && item < items() && rowStart[item + 1] > rowStart[item];
  }

  /** Items with content. */
  public int describedItems() {
    int n = 0;
    for (int i = 0; i < items(); i++) {
      n += hasContent(i) ? 1 : 0;
    }
    return n;
  }

  /** {@code x_item · dense}; 0 for an item without content. */
  public float dot(int item, float[] dense) {
    if (item < 0 || item >= items()) {
      return 0f;
    }
    float sum = 0;
    for (int p = rowStart[item]; p < rowStart[item + 1]; p++) {
      sum += values[p] * dense[columns[p]];
    }
    return sum;
  }

  /** {@code x_a · x_b}: their cosine, the rows being unit or empty. */
  public float dot(int a, int b) {
    if (!hasContent(a) || !hasContent(b)) {
      return 0f;
    }
    int p = rowStart[a];
    int q = rowStart[b];
    float sum = 0;
    while (p < rowStart[a + 1] && q < rowStart[b + 1]) {
      int c = columns[p] - columns[q];
      if (c == 0) {
        sum += values[p++] * values[q++];
      } else if (c < 0) {
        p++;
      } else {
        q++;
      }
    }
    return sum;
  }

  /** {@code out += weight · x_item}. */
  public void addTo(int item, float weight, float[] out) {
    if (item < 0 || item >= items()) {
      return;
    }
    for (int p = rowStart[item]; p < rowStart[item + 1]; p++) {
      out[columns[p]] += weight * values[p];
    }
  }

  /** The columns of {@code item}'s entries (a copy). */
  public int[] columnsOf(int item) {
    return Arrays.copyOfRange(columns, rowStart[item], rowStart[item + 1]);
  }

  /** The values of {@code item}'s entries (a copy), parallel to {@link #columnsOf}. */
  public float[] valuesOf(int item) {
    return Arrays.copyOfRange(values, rowStart[item], rowStart[item + 1]);
  }

  /** These rows and, up to {@code items}, empty ones (new items without content yet). */
  public ItemFeatures grownTo(int items) {
    if (items <= items()) {
      return this;
    }
    int[] starts = Arrays.copyOf(rowStart, items + 1);
    Arrays.fill(starts, rowStart.length, starts.length, columns.length);
    return new ItemFeatures(dims, starts, columns, values);
  }

  /** Writes the rows into {@code state} under {@code prefix}. */
  public void saveTo(ModelState state, String prefix) {
    state.put(prefix + ".shape", new int[] {dims});
    state.put(prefix + ".rows", rowStart);
    state.put(prefix + ".columns", columns);
    state.put(prefix + ".values", values);
  }

  /** Reads what {@link #saveTo} wrote. */
  public static ItemFeatures loadFrom(ModelState state, String prefix) {
    return new ItemFeatures(state.ints(prefix + ".shape")[0], state.ints(prefix + ".rows"),
        state.ints(prefix + ".columns"), state.floats(prefix + ".values"));
  }

  /** Builds sparse rows from dense ones, each scaled to unit length (all-zero rows stay empty). */
  public static ItemFeatures ofDense(float[][] rows, int dims) {
    Builder b = new Builder(dims);
    for (float[] row : rows) {
      if (row == null) {
        b.addRow(new int[0], new float[0]);
        continue;
      }
      int[] cols = java.util.stream.IntStream.range(0, dims).filter(c -> row[c] != 0).toArray();
      float[] vals = new float[cols.length];
      for (int n = 0; n < cols.length; n++) {
        vals[n] = row[cols[n]];
      }
      b.addRow(cols, vals);
    }
    return b.build();
  }

  /** Appends rows one at a time, normalising each. */
  static final class Builder {
    private final int dims;
    private int[] starts = new int[16];
    private int rows;
    private int[] cols = new int[64];
    private float[] vals = new float[64];
    private int size;

    Builder(int dims) {
      this.dims = dims;
    }

    /** Adds a row given by ascending distinct columns and values; scaled to unit length. */
    void addRow(int[] columns, float[] values) {
      double norm = 0;
      for (float v : values) {
        norm += (double) v * v;
      }
      float scale = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
      if (size + columns.length > cols.length) {
        int capacity = Math.max(cols.length * 2, size + columns.length);
        cols = Arrays.copyOf(cols, capacity);
        vals = Arrays.copyOf(vals, capacity);
      }
      if (norm > 0) {
        for (int n = 0; n < columns.length; n++) {
          if (values[n] != 0) {
            cols[size] = columns[n];
            vals[size++] = values[n] * scale;
          }
        }
      }
      if (rows + 2 > starts.length) {
        starts = Arrays.copyOf(starts, starts.length * 2);
      }
      starts[++rows] = size;
    }

    ItemFeatures build() {
      return new ItemFeatures(dims, Arrays.copyOf(starts, rows + 1), Arrays.copyOf(cols, size), Arrays.copyOf(vals, size));
    }
  }
}
