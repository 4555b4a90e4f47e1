package io.perennial.model;

import io.perennial.data.CsrMatrix;
import java.util.Arrays;

/**
 * The items each user interacted with, sorted by item, with values. Growable for {@code
 * partialFit}. Reads are safe concurrently; writes follow the package's concurrency rule.
 */
public final class UserHistory {

  private static final int[] NO_ITEMS = new int[0];
  private static final float[] NO_VALUES = new float[0];

  private int[][] items;
  private float[][] values;
  private int users;

  public UserHistory(int users) {
    this.users = users;
    this.items = new int[Math.max(users, 1)][];
    this.values = new float[Math.max(users, 1)][];
  }

  public static UserHistory of(CsrMatrix byUser) {
    UserHistory h = new UserHistory(byUser.rows());
    for (int u = 0; u < byUser.rows(); u++) {
      if (byUser.rowLength(u) > 0) {
        h.items[u] = byUser.rowColumns(u);
        h.values[u] = byUser.rowValues(u);
      }
    }
    return h;
  }

  public int users() {
    return users;
  }

  /** Sorted items of {@code user} (empty for unknown users). Do not modify. */
  public int[] items(int user) {
    if (user < 0 || user >= users || items[user] == null) {
      return NO_ITEMS;
    }
    return items[user];
  }

  /** Values aligned with {@link #items(int)}. Do not modify. */
  public float[] values(int user) {
    if (user < 0 || user >= users || values[user] == null) {
      return NO_VALUES;
    }
    return values[user];
  }

  public boolean contains(int user, int item) {
    return Arrays.binarySearch(items(user), item) >= 0;
  }

  public void ensureUsers(int count) {
    if (count > items.length) {
      int c = Math.max(count, items.length * 3 / 2);
      items = Arrays.copyOf(items, c);
      values = Arrays.copyOf(values, c);
    }
    users = Math.max(users, count);
  }

  /** Adds or accumulates (user, item, value). */
  public void add(int user, int item, float value) {
    addDecayed(user, item, value, 1f);
  }

  /**
   * Multiplies the user's existing values by {@code decay}, then adds or accumulates (item, value):
   * recency weighting in one copy of the row.
   */
  public void addDecayed(int user, int item, float value, float decay) {
    ensureUsers(user + 1);
    int[] row = items(user);
    float[] vals = values(user);
    int pos = Arrays.binarySearch(row, item);
    if (pos >= 0) {
      float[] copy = vals.clone();
      if (decay != 1f) {
        for (int n = 0; n < copy.length; n++) {
          copy[n] *= decay;
        }
      }
      copy[pos] += value;
      values[user] = copy;
      return;
    }
    int at = -pos - 1;
    int[] newRow = new int[row.length + 1];
    float[] newVals = new float[row.length + 1];
    System.arraycopy(row, 0, newRow, 0, at);
    System.arraycopy(vals, 0, newVals, 0, at);
    newRow[at] = item;
    newVals[at] = value;
    System.arraycopy(row, at, newRow, at + 1, row.length - at);
    System.arraycopy(vals, at, newVals, at + 1, row.length - at);
    if (decay != 1f) {
      // one branch-free pass the JIT vectorises, then the new value put back undecayed
      for (int n = 0; n < newVals.length; n++) {
        newVals[n] *= decay;
      }
      newVals[at] = value;
    }
    // Publish values before items so a reader never sees items longer than values.
    values[user] = newVals;
    items[user] = newRow;
  }

  /** Forgets everything {@code user} interacted with. */
  public void clear(int user) {
    if (user >= 0 && user < users) {
      items[user] = null;
      values[user] = null;
    }
  }

  /** Total stored pairs. */
  public long size() {
    long n = 0;
    for (int u = 0; u < users; u++) {
      n += items(u).length;
    }
    return n;
  }

  /** Writes the history into a model state as CSR sections under {@code prefix}. */
  public void saveTo(ModelState state, String prefix) {
    int[] start = new int[users + 1];
    for (int u = 0; u < users; u++) {
      start[u + 1] = start[u] + items(u).length;
    }
    int[] cols = new int[start[users]];
    float[] vals = new float[start[users]];
    for (int u = 0; u < users; u++) {
      System.arraycopy(items(u), 0, cols, start[u], items(u).length);
      System.arraycopy(values(u), 0, vals, start[u], values(u).length);
    }
    state.put(prefix + ".start", start).put(prefix + ".items", cols).put(prefix + ".values", vals);
  }

  public static UserHistory loadFrom(ModelState state, String prefix) {
    int[] start = state.ints(prefix + ".start");
    int[] cols = state.ints(prefix + ".items");
    float[] vals = state.floats(prefix + ".values");
    int users = start.length - 1;
    if (users < 0 || start[users] != cols.length || cols.length != vals.length) {
      throw new IllegalArgumentException("inconsistent history sections '" + prefix + "'");
    }
    UserHistory h = new UserHistory(users);
    for (int u = 0; u < users; u++) {
      if (start[u + 1] > start[u]) {
        h.items[u] = Arrays.copyOfRange(cols, start[u], start[u + 1]);
        h.values[u] = Arrays.copyOfRange(vals, start[u], start[u + 1]);
      }
    }
    return h;
  }
}
