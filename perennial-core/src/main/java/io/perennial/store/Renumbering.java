package io.perennial.store;

import io.perennial.data.IdIndex;
import io.perennial.model.ModelState;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Re-indexes a factor model's checkpoint into another id numbering: a model trained elsewhere
 * (spark-train, another machine) numbers its users and items in its own order, while a running
 * server, or an evaluation split, has its own. The result numbers the given ids first, in their
 * order, then the checkpoint's other ids in its order; rows the checkpoint lacks get zero factors
 * and no history, which the models answer with the popularity fallback until they learn events.
 * Supports the factor models ({@code ials}, {@code bpr}, {@code mf}: factor tables, biases,
 * popularity and the users' histories).
 */
public final class Renumbering {

  private static final List<String> PER_USER = List.of("user_factors", "user_bias");
  private static final List<String> PER_ITEM = List.of("item_factors", "item_bias", "popularity");
  private static final List<String> HISTORY = List.of("history.start", "history.items", "history.values");

  private Renumbering() {}

  /**
   * {@code checkpoint} in a numbering that starts with {@code users} and {@code items}.
   *
   * @throws CheckpointException when the model is not a factor model
   */
  public static Checkpoint into(Checkpoint checkpoint, List<String> users, List<String> items) {
    ModelState from = checkpoint.state();
    if (!from.ints().containsKey("shape") || !from.floats().containsKey("user_factors")
        || !from.ints().containsKey("history.start")) {
      throw new CheckpointException("a " + from.type() + " model cannot be renumbered (only the factor models "
          + "ials, bpr and mf: their rows are per user and per item)");
    }
    IdIndex newUsers = IdIndex.of(users).copy();
    IdIndex newItems = IdIndex.of(items).copy();
    int[] userMap = mapping(checkpoint.users(), newUsers);
    int[] itemMap = mapping(checkpoint.items(), newItems);
    int[] shape = from.ints("shape");
    int k = shape[2];
    ModelState to = new ModelState(from.type(), from.config().deepCopy());
    for (Map.Entry<String, float[]> e : from.floats().entrySet()) {
      String name = e.getKey();
      if (PER_USER.contains(name)) {
        to.put(name, moveRows(e.getValue(), userMap, newUsers.size(), name.endsWith("factors") ? k : 1));
      } else if (PER_ITEM.contains(name)) {
        to.put(name, moveRows(e.getValue(), itemMap, newItems.size(), name.endsWith("factors") ? k : 1));
      } else if (!HISTORY.contains(name)) {
        to.put(name, e.getValue().clone());
      }
    }
    for (Map.Entry<String, int[]> e : from.ints().entrySet()) {
      if (!HISTORY.contains(e.getKey()) && !e.getKey().equals("shape")) {
        to.put(e.getKey(), e.getValue().clone());
      }
    }
    to.put("shape", new int[] {newUsers.size(), newItems.size(), k});
    moveHistory(from, to, userMap, itemMap, newUsers.size());
    return new Checkpoint(to, newUsers, newItems, checkpoint.provenance());
  }

  /** Old index → new index, adding the ids {@code into} lacks at its end. */
  private static int[] mapping(IdIndex from, IdIndex into) {
    int[] map = new int[from.size()];
    for (int old = 0; old < from.size(); old++) {
      map[old] = into.getOrAdd(from.idOf(old));
    }
    return map;
  }

  private static float[] moveRows(float[] table, int[] map, int rows, int width) {
    float[] out = new float[rows * width];
    for (int old = 0; old < map.length && (old + 1) * width <= table.length; old++) {
      System.arraycopy(table, old * width, out, map[old] * width, width);
    }
    return out;
  }

  /** The CSR history under the new numbering: rows moved, item columns mapped and re-sorted. */
  private static void moveHistory(ModelState from, ModelState to, int[] userMap, int[] itemMap, int users) {
    int[] start = from.ints("history.start");
    int[] cols = from.ints("history.items");
    float[] vals = from.floats("history.values");
    int[] oldOf = new int[users];
    Arrays.fill(oldOf, -1);
    for (int old = 0; old < userMap.length && old < start.length - 1; old++) {
      oldOf[userMap[old]] = old;
    }
    int[] newStart = new int[users + 1];
    for (int u = 0; u < users; u++) {
      int old = oldOf[u];
      newStart[u + 1] = newStart[u] + (old < 0 ? 0 : start[old + 1] - start[old]);
    }
    int[] newCols = new int[newStart[users]];
    float[] newVals = new float[newStart[users]];
    long[] packed = new long[16];
    for (int u = 0; u < users; u++) {
      int old = oldOf[u];
      if (old < 0) {
        continue;
      }
      int len = start[old + 1] - start[old];
      if (packed.length < len) {
        packed = new long[Math.max(len, packed.length * 2)];
      }
      for (int n = 0; n < len; n++) {
        // the new item index in the high word, the entry's place in the low word: one sort orders both
        packed[n] = ((long) itemMap[cols[start[old] + n]] << 32) | n;
      }
      Arrays.sort(packed, 0, len);
      for (int n = 0; n < len; n++) {
        newCols[newStart[u] + n] = (int) (packed[n] >>> 32);
        newVals[newStart[u] + n] = vals[start[old] + (int) packed[n]];
      }
    }
    to.put("history.start", newStart).put("history.items", newCols).put("history.values", newVals);
  }
}
