package io.perennial.data;

import java.util.Arrays;

/**
 * Compressed sparse rows: row {@code r} holds columns {@code cols[rowStart[r] .. rowStart[r+1])},
 * sorted ascending, with their values. Duplicated (row, column) pairs in the input are summed.
 * Immutable after construction.
 */
public final class CsrMatrix {

  private final int rows;
  private final int columns;
  private final int[] rowStart;
  private final int[] cols;
  private final float[] values;

  private CsrMatrix(int rows, int columns, int[] rowStart, int[] cols, float[] values) {
    this.rows = rows;
    this.columns = columns;
    this.rowStart = rowStart;
    this.cols = cols;
    this.values = values;
  }

  /** Users as rows, items as columns. */
  public static CsrMatrix byUser(InteractionLog log, int users, int items) {
    return build(log, users, items, true);
  }

  /** Items as rows, users as columns. */
  public static CsrMatrix byItem(InteractionLog log, int users, int items) {
    return build(log, items, users, false);
  }

  private static CsrMatrix build(InteractionLog log, int rows, int columns, boolean userRows) {
    int n = log.size();
    int[] counts = new int[rows + 1];
    for (int i = 0; i < n; i++) {
      int r = userRows ? log.user(i) : log.item(i);
      int c = userRows ? log.item(i) : log.user(i);
      if (r >= rows || c >= columns) {
        throw new IllegalArgumentException(
            "event " + i + " at (" + r + "," + c + ") outside " + rows + "×" + columns);
      }
      counts[r + 1]++;
    }
    for (int r = 0; r < rows; r++) {
      counts[r + 1] += counts[r];
    }
    int[] fill = Arrays.copyOf(counts, rows);
    int[] cols = new int[n];
    float[] vals = new float[n];
    for (int i = 0; i < n; i++) {
      int r = userRows ? log.user(i) : log.item(i);
      int pos = fill[r]++;
      cols[pos] = userRows ? log.item(i) : log.user(i);
      vals[pos] = log.value(i);
    }
    // sort each row by column and merge duplicates
    int[] start = new int[rows + 1];
    int write = 0;
    long[] scratch = new long[0];
    for (int r = 0; r < rows; r++) {
      int from = counts[r];
      int to = counts[r + 1];
      int len = to - from;
      start[r] = write;
      if (len == 0) {
        continue;
      }
      if (scratch.length < len) {
        scratch = new long[Math.max(len, scratch.length * 2)];
      }
      for (int k = 0; k < len; k++) {
        scratch[k] = ((long) cols[from + k] << 32) | (from + k);
      }
      Arrays.sort(scratch, 0, len);
      float[] sortedVals = new float[len];
      int[] sortedCols = new int[len];
      for (int k = 0; k < len; k++) {
        sortedCols[k] = (int) (scratch[k] >>> 32);
        sortedVals[k] = vals[(int) scratch[k]];
      }
      for (int k = 0; k < len; k++) {
        if (write > start[r] && cols[write - 1] == sortedCols[k]) {
          vals[write - 1] += sortedVals[k];
        } else {
          cols[write] = sortedCols[k];
          vals[write] = sortedVals[k];
          write++;
        }
      }
    }
    start[rows] = write;
    return new CsrMatrix(
        rows, columns, start, Arrays.copyOf(cols, write), Arrays.copyOf(vals, write));
  }

  public int rows() {
    return rows;
  }

  public int columns() {
    return columns;
  }

  /** Stored entries. */
  public int nonZeros() {
    return rowStart[rows];
  }

  public int rowLength(int r) {
    return rowStart[r + 1] - rowStart[r];
  }

  public int rowStart(int r) {
    return rowStart[r];
  }

  public int rowEnd(int r) {
    return rowStart[r + 1];
  }

  /** Column at storage position {@code p} (between {@link #rowStart} and {@link #rowEnd}). */
  public int column(int p) {
    return cols[p];
  }

  public float value(int p) {
    return values[p];
  }

  /** A copy of row {@code r}'s columns. */
  public int[] rowColumns(int r) {
    return Arrays.copyOfRange(cols, rowStart[r], rowStart[r + 1]);
  }

  /** A copy of row {@code r}'s values. */
  public float[] rowValues(int r) {
    return Arrays.copyOfRange(values, rowStart[r], rowStart[r + 1]);
  }

  /** Whether {@code (r, c)} is stored (binary search). */
  public boolean contains(int r, int c) {
    if (r < 0 || r >= rows) {
      return false;
    }
    return Arrays.binarySearch(cols, rowStart[r], rowStart[r + 1], c) >= 0;
  }
}
