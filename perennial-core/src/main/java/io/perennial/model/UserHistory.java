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

  /**
   * Writes the history in a compact form: each user's sorted items as variable-length gaps (one
   * byte for a gap under 128, as most are), and the values as one-byte codes into a table of the
   * distinct values when there are at most 256 of them (one value for implicit data: no codes at
   * all), else as floats. Lossless; {@link #loadFrom} reads either form. Used by compressed model
   * files, where a float per stored pair would otherwise outweigh the int8 factor tables.
   */
  public void saveCompactTo(ModelState state, String prefix) {
    int[] start = new int[users + 1];
    java.io.ByteArrayOutputStream gaps = new java.io.ByteArrayOutputStream();
    java.util.TreeSet<Float> levels = new java.util.TreeSet<>();
    for (int u = 0; u < users; u++) {
      int[] row = items(u);
      start[u + 1] = start[u] + row.length;
      int previous = -1;
      for (int item : row) {
        writeVarint(gaps, item - previous);
        previous = item;
      }
      for (float v : values(u)) {
        if (levels.size() <= 256) {
          levels.add(v);
        }
      }
    }
    state.put(prefix + ".start", start).put(prefix + ".item_gaps", gaps.toByteArray());
    int total = start[users];
    if (levels.size() > 256) {
      float[] vals = new float[total];
      for (int u = 0; u < users; u++) {
        System.arraycopy(values(u), 0, vals, start[u], values(u).length);
      }
      state.put(prefix + ".values", vals);
      return;
    }
    float[] table = new float[levels.size()];
    int n = 0;
    for (float level : levels) {
      table[n++] = level;
    }
    state.put(prefix + ".value_levels", table);
    if (table.length > 1) {
      byte[] codes = new byte[total];
      for (int u = 0; u < users; u++) {
        float[] row = values(u);
        for (int j = 0; j < row.length; j++) {
          codes[start[u] + j] = (byte) Arrays.binarySearch(table, row[j]);
        }
      }
      state.put(prefix + ".value_codes", codes);
    }
  }

  private static void writeVarint(java.io.ByteArrayOutputStream out, int value) {
    while ((value & ~0x7f) != 0) {
      out.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }

  private static UserHistory loadCompact(ModelState state, String prefix) {
    int[] start = state.ints(prefix + ".start");
    byte[] gaps = state.bytes(prefix + ".item_gaps");
    int users = start.length - 1;
    if (users < 0) {
      throw new IllegalArgumentException("inconsistent history sections '" + prefix + "'");
    }
    int total = start[users];
    float[] vals;
    if (state.has(prefix + ".values")) {
      vals = state.floats(prefix + ".values");
    } else {
      float[] levels = state.floats(prefix + ".value_levels");
      vals = new float[total];
      if (levels.length == 1) {
        Arrays.fill(vals, levels[0]);
      } else {
        byte[] codes = state.bytes(prefix + ".value_codes");
        if (codes.length != total) {
          throw new IllegalArgumentException("inconsistent history sections '" + prefix + "': value codes");
        }
        for (int p = 0; p < total; p++) {
          int code = codes[p] & 0xff;
          if (code >= levels.length) {
            throw new IllegalArgumentException("inconsistent history sections '" + prefix + "': value code " + code);
          }
          vals[p] = levels[code];
        }
      }
    }
    if (vals.length != total) {
      throw new IllegalArgumentException("inconsistent history sections '" + prefix + "': values");
    }
    UserHistory h = new UserHistory(users);
    int at = 0;
    for (int u = 0; u < users; u++) {
      int length = start[u + 1] - start[u];
      if (length < 0) {
        throw new IllegalArgumentException("inconsistent history sections '" + prefix + "': start");
      }
      if (length == 0) {
        continue;
      }
      int[] row = new int[length];
      int item = -1;
      for (int j = 0; j < length; j++) {
        int gap = 0;
        for (int shift = 0; ; shift += 7) {
          if (at >= gaps.length || shift > 28) {
            throw new IllegalArgumentException("inconsistent history sections '" + prefix + "': item gaps");
          }
          int b = gaps[at++];
          gap |= (b & 0x7f) << shift;
          if ((b & 0x80) == 0) {
            break;
          }
        }
        item += gap;
        row[j] = item;
      }
      h.items[u] = row;
      h.values[u] = Arrays.copyOfRange(vals, start[u], start[u + 1]);
    }
    if (at != gaps.length) {
      throw new IllegalArgumentException("inconsistent history sections '" + prefix + "': trailing item gaps");
    }
    return h;
  }

  /** Reads a history written by {@link #saveTo} or {@link #saveCompactTo}. */
  public static UserHistory loadFrom(ModelState state, String prefix) {
    if (state.has(prefix + ".item_gaps")) {
      return loadCompact(state, prefix);
    }
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
