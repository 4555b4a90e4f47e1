package io.perennial.nn;

import java.util.Arrays;

/**
 * The rows of one embedding table that received a gradient since the last clear, each once, in
 * first-touch order (deterministic for a deterministic step). Sized once for the table; {@link
 * #clear()} costs the number of touched rows, not the table size.
 */
public final class RowSet {
  private final boolean[] marked;
  private final int[] rows;
  private int count;

  public RowSet(int capacity) {
    marked = new boolean[capacity];
    rows = new int[capacity];
  }

  /** Records {@code row}; a repeated row is recorded once. */
  public void add(int row) {
    if (!marked[row]) {
      marked[row] = true;
      rows[count++] = row;
    }
  }

  /** Records every row (a dense gradient, e.g. a full softmax over the table). */
  public void addAll() {
    for (int r = 0; r < marked.length; r++) {
      add(r);
    }
  }

  public boolean contains(int row) {
    return marked[row];
  }

  public int size() {
    return count;
  }

  /** The {@code i}-th touched row. */
  public int get(int i) {
    if (i >= count) {
      throw new IndexOutOfBoundsException(i);
    }
    return rows[i];
  }

  public int capacity() {
    return marked.length;
  }

  public void clear() {
    if (count == marked.length) {
      Arrays.fill(marked, false);
    } else {
      for (int i = 0; i < count; i++) {
        marked[rows[i]] = false;
      }
    }
    count = 0;
  }
}
