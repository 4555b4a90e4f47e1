package io.perennial.model.knn;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionLog;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.ModelState;
import io.perennial.model.Recommendations;
import io.perennial.model.UserHistory;
import io.perennial.model.Update;
import io.perennial.model.UserQuery;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Scores {@code s(u, i) = Σ_{j ∈ I_u} sim(i, j) · r_uj} over each item's top-N neighbours.
 */
public final class ItemKnnModel extends AbstractRecommender implements io.perennial.model.OnlineLearner {

  public static final String TYPE = "itemknn";
  private final ItemKnnConfig config;
  private int[][] neighbourIds;
  private float[][] neighbourSims;

  ItemKnnModel(ItemKnnConfig config, UserHistory history, float[] popularity, int users, int items,
      int[][] neighbourIds, float[][] neighbourSims) {
    super(history, popularity, users, items);
    this.config = config;
    this.neighbourIds = neighbourIds;
    this.neighbourSims = neighbourSims;
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** Similarity of two items (0 when not neighbours). */
  public float similarity(int a, int b) {
    if (a < 0 || a >= itemCount || b < 0 || b >= itemCount) {
      return 0;
    }
    int p = Arrays.binarySearch(neighbourIds[a], b);
    return p >= 0 ? neighbourSims[a][p] : 0;
  }

  @Override
  public float score(int user, int item) {
    if (item < 0 || item >= itemCount) {
      return Float.NaN;
    }
    int[] its = history.items(user);
    float[] vals = history.values(user);
    float s = 0;
    for (int k = 0; k < its.length; k++) {
      s += similarity(its[k], item) * vals[k];
    }
    return s;
  }

  @Override
  protected UserQuery queryFor(int user) {
    int[] items = history.items(user);
    return items.length == 0 ? null : new UserQuery(items, history.values(user), null, 0);
  }

  @Override
  protected void scoreAll(UserQuery user, float[] out) {
    Arrays.fill(out, 0, itemCount, 0f);
    int[] its = user.items();
    float[] vals = user.values();
    for (int k = 0; k < its.length; k++) {
      int j = its[k];
      if (j < 0 || j >= itemCount) {
        continue;
      }
      int[] nIds = neighbourIds[j];
      float[] nSims = neighbourSims[j];
      float v = vals[k];
      for (int n = 0; n < nIds.length; n++) {
        out[nIds[n]] += nSims[n] * v;
      }
    }
  }

  @Override
  public Recommendations similarItems(int item, int k) {
    if (item < 0 || item >= itemCount) {
      return select(popularity, new int[0], k, null, true);
    }
    float[] scores = new float[itemCount];
    Arrays.fill(scores, Float.NaN);
    int[] nIds = neighbourIds[item];
    for (int n = 0; n < nIds.length; n++) {
      scores[nIds[n]] = neighbourSims[item][n];
    }
    return select(scores, new int[] {item}, k, null, false);
  }

  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    long[] packed = new long[items.length];
    for (int k = 0; k < items.length; k++) {
      packed[k] = ((long) items[k] << 32) | (Float.floatToRawIntBits(values[k]) & 0xffffffffL);
    }
    Arrays.sort(packed);
    int[] sorted = new int[items.length];
    float[] vals = new float[items.length];
    for (int k = 0; k < items.length; k++) {
      sorted[k] = (int) (packed[k] >>> 32);
      vals[k] = Float.intBitsToFloat((int) packed[k]);
    }
    return new UserQuery(sorted, vals, null, 0);
  }

  /**
   * Adds the event to the user's history, so the next recommendation already uses it; neighbour
   * lists are recomputed by {@link #partialFit} (similarities move slowly, histories fast).
   */
  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    ensureNeighbourRows(item + 1);
    recordEvent(user, item, value);
    userCount = Math.max(userCount, user + 1);
    itemCount = Math.max(itemCount, item + 1);
  }

  /** Grows the neighbour lists (geometrically) to hold at least {@code items} items, new ones empty. */
  private void ensureNeighbourRows(int items) {
    if (items <= neighbourIds.length) {
      return;
    }
    int old = neighbourIds.length;
    int capacity = Math.max(items, old + old / 2 + 16);
    neighbourIds = Arrays.copyOf(neighbourIds, capacity);
    neighbourSims = Arrays.copyOf(neighbourSims, capacity);
    for (int i = old; i < capacity; i++) {
      neighbourIds[i] = new int[0];
      neighbourSims[i] = new float[0];
    }
  }

  /**
   * Adds the events and recomputes the neighbour lists that can change: those of the touched items
   * and of every item co-occurring with one (only pairs involving a touched item change). Replay
   * and stability do not apply: nothing is trained.
   */
  @Override
  public void partialFit(Update update) {
    InteractionLog events = update.events();
    int users = update.users();
    int items = update.items();
    growHistory(events, users);
    growPopularity(events, items);
    ensureNeighbourRows(items);
    userCount = Math.max(userCount, users);
    itemCount = Math.max(itemCount, items);
    Neighbourhoods.ItemUsers byItem = Neighbourhoods.transpose(history, itemCount);
    BitSet affected = new BitSet(itemCount);
    for (int e = 0; e < events.size(); e++) {
      int i = events.item(e);
      affected.set(i);
      for (int p = byItem.start()[i]; p < byItem.start()[i + 1]; p++) {
        for (int j : history.items(byItem.users()[p])) {
          affected.set(j);
        }
      }
    }
    Neighbourhoods.compute(history, byItem, itemCount, config, affected.stream().toArray(),
        neighbourIds, neighbourSims);
  }

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    int[] start = new int[itemCount + 1];
    for (int i = 0; i < itemCount; i++) {
      start[i + 1] = start[i] + neighbourIds[i].length;
    }
    int[] ids = new int[start[itemCount]];
    float[] sims = new float[start[itemCount]];
    for (int i = 0; i < itemCount; i++) {
      System.arraycopy(neighbourIds[i], 0, ids, start[i], neighbourIds[i].length);
      System.arraycopy(neighbourSims[i], 0, sims, start[i], neighbourSims[i].length);
    }
    s.put("shape", new int[] {userCount, itemCount}).put("popularity", Arrays.copyOf(popularity, itemCount))
        .put("neighbours.start", start).put("neighbours.ids", ids).put("neighbours.sims", sims);
    history.saveTo(s, "history");
    return s;
  }

  public static ItemKnnModel restore(ModelState s) {
    ItemKnnConfig config = new ObjectMapper().convertValue(s.config(), ItemKnnConfig.class);
    int[] shape = s.ints("shape");
    int[] start = s.ints("neighbours.start");
    int[] ids = s.ints("neighbours.ids");
    float[] sims = s.floats("neighbours.sims");
    if (start.length != shape[1] + 1 || start[shape[1]] != ids.length || ids.length != sims.length) {
      throw new IllegalArgumentException("inconsistent neighbour sections");
    }
    int[][] nIds = new int[shape[1]][];
    float[][] nSims = new float[shape[1]][];
    for (int i = 0; i < shape[1]; i++) {
      nIds[i] = Arrays.copyOfRange(ids, start[i], start[i + 1]);
      nSims[i] = Arrays.copyOfRange(sims, start[i], start[i + 1]);
    }
    return new ItemKnnModel(config, UserHistory.loadFrom(s, "history"), s.floats("popularity"),
        shape[0], shape[1], nIds, nSims);
  }
}
