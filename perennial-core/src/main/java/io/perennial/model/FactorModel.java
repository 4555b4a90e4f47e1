package io.perennial.model;

import io.perennial.kernel.VectorOps;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A latent-factor model: {@code score(u, i) = global + b_u + b_i + p_u · q_i}, with the biases
 * present only when the algorithm has them. Tables are row-major {@code float[]}s of {@code factors}
 * columns, grown in place by {@code partialFit}.
 */
public abstract class FactorModel extends AbstractRecommender implements VectorRetrieval {

  /** Latent dimensions; grows only by {@link #widenFactors} (progressive training). */
  protected int factors;
  protected float[] userFactors;
  protected float[] itemFactors;
  /** {@code null} when the algorithm has no user biases. */
  protected float[] userBias;
  /** {@code null} when the algorithm has no item biases. */
  protected float[] itemBias;
  protected float globalBias;
  private volatile float[] itemNorms;
  /** Column-major copy of the item table: scoring a catalogue is then lane-wise FMAs only. */
  private volatile ItemColumns itemColumns;
  /** Told of every row an in-place write changes, or {@code null}. */
  private volatile RowChanges rowChanges;

  /**
   * Receives the rows that in-place writes ({@code learnOnline}, the divergence guard's restore,
   * eviction, retirement) change, so that a copy kept beside the model (the server's int8 tables)
   * can re-code only those. Rows added by growth are not reported: they are the ones past the
   * copy's size. {@code partialFit} rewrites whole tables and reports nothing.
   */
  public interface RowChanges {
    void userChanged(int user);

    void itemChanged(int item);
  }

  /** Reports the rows later in-place writes change to {@code sink} ({@code null} stops it). */
  public void trackRowChanges(RowChanges sink) {
    rowChanges = sink;
  }

  /**
   * The transposed item table with room for {@code stride} items, so that items learned online are
   * appended in O(factors) instead of re-transposing the catalogue for each new item. Rows past
   * {@code rows} are filled on first use; concurrent readers fill them with the same values.
   */
  private static final class ItemColumns {
    final float[] data;
    final int stride;
    volatile int rows;

    ItemColumns(float[] data, int stride, int rows) {
      this.data = data;
      this.stride = stride;
      this.rows = rows;
    }
  }

  protected FactorModel(
      UserHistory history, float[] popularity, int users, int items, int factors,
      float[] userFactors, float[] itemFactors, float[] userBias, float[] itemBias, float globalBias) {
    super(history, popularity, users, items);
    this.factors = factors;
    this.userFactors = userFactors;
    this.itemFactors = itemFactors;
    this.userBias = userBias;
    this.itemBias = itemBias;
    this.globalBias = globalBias;
  }

  public int factors() {
    return factors;
  }

  /** User factor table (users × factors, row-major). Exposed for export and tests. */
  public float[] userFactors() {
    return userFactors;
  }

  public float[] itemFactors() {
    return itemFactors;
  }

  public float[] userBias() {
    return userBias;
  }

  public float[] itemBias() {
    return itemBias;
  }

  public float globalBias() {
    return globalBias;
  }

  @Override
  public int retrievalDims() {
    return factors;
  }

  @Override
  public float[] retrievalItemVectors() {
    return itemFactors;
  }

  @Override
  public float[] retrievalItemBias() {
    return itemBias;
  }

  /** The user's factor row; the user bias is constant over items, so it does not change the order. */
  @Override
  public boolean retrievalQuery(int user, float[] out) {
    if (user < 0 || user >= userCount) {
      return false;
    }
    System.arraycopy(userFactors, user * factors, out, 0, factors);
    return true;
  }

  @Override
  public float score(int user, int item) {
    if (item < 0 || item >= itemCount) {
      return Float.NaN;
    }
    float s = globalBias + (itemBias == null ? 0 : itemBias[item]);
    if (user >= 0 && user < userCount) {
      s += (userBias == null ? 0 : userBias[user])
          + VectorOps.dot(userFactors, user * factors, itemFactors, item * factors, factors);
    }
    return s;
  }

  @Override
  protected boolean needsVector() {
    return true;
  }

  @Override
  protected UserQuery queryFor(int user) {
    int[] items = history.items(user);
    if (items.length == 0) {
      return null;
    }
    float[] vector = Arrays.copyOfRange(userFactors, user * factors, (user + 1) * factors);
    return new UserQuery(items, history.values(user), vector, userBias == null ? 0 : userBias[user]);
  }

  /** The transposed item table, built on first use after a change and extended as items are added. */
  private ItemColumns itemColumns() {
    ItemColumns t = itemColumns;
    if (t == null || t.stride < itemCount) {
      int stride = t == null ? itemCount : Math.max(itemCount, itemCount + itemCount / 2 + 16);
      float[] data = new float[stride * factors];
      fillColumns(data, stride, 0, itemCount);
      t = new ItemColumns(data, stride, itemCount);
      itemColumns = t;
    } else if (t.rows < itemCount) {
      fillColumns(t.data, t.stride, t.rows, itemCount);
      t.rows = itemCount;
    }
    return t;
  }

  private void fillColumns(float[] columns, int stride, int fromItem, int toItem) {
    for (int item = fromItem; item < toItem; item++) {
      for (int d = 0; d < factors; d++) {
        columns[d * stride + item] = itemFactors[item * factors + d];
      }
    }
  }

  @Override
  protected void scoreAll(UserQuery user, float[] out) {
    ItemColumns columns = itemColumns();
    VectorOps.matVecTransposed(columns.data, columns.stride, itemCount, factors, user.vector(), out);
    float offset = globalBias + user.bias();
    if (itemBias != null) {
      for (int i = 0; i < itemCount; i++) {
        out[i] += offset + itemBias[i];
      }
    } else if (offset != 0) {
      for (int i = 0; i < itemCount; i++) {
        out[i] += offset;
      }
    }
  }

  @Override
  public Recommendations similarItems(int item, int k) {
    if (item < 0 || item >= itemCount) {
      return select(popularity, new int[0], k, null, true);
    }
    float[] norms = norms();
    float[] scores = new float[itemCount];
    ItemColumns columns = itemColumns();
    VectorOps.matVecTransposed(columns.data, columns.stride, itemCount, factors,
        Arrays.copyOfRange(itemFactors, item * factors, (item + 1) * factors), scores);
    float self = norms[item];
    for (int i = 0; i < itemCount; i++) {
      float denom = self * norms[i];
      scores[i] = denom > 0 ? scores[i] / denom : 0;
    }
    return select(scores, new int[] {item}, k, null, false);
  }

  private float[] norms() {
    float[] n = itemNorms;
    if (n == null || n.length != itemCount) {
      n = new float[itemCount];
      for (int i = 0; i < itemCount; i++) {
        n[i] = VectorOps.norm(itemFactors, i * factors, factors);
      }
      itemNorms = n;
    }
    return n;
  }

  /**
   * Whether every parameter is finite and no row's norm exceeds {@code maxNorm}: {@link ModelHealth}
   * without a holdout.
   */
  public boolean isHealthy(float maxNorm) {
    return ModelHealth.check(this, maxNorm).healthy();
  }

  @Override
  public void evictUser(int user) {
    super.evictUser(user);
    if (user >= 0 && user < userCount) {
      Arrays.fill(userFactors, user * factors, (user + 1) * factors, 0f);
      if (userBias != null) {
        userBias[user] = 0;
      }
      userRowChanged(user);
      invalidateDerivedState();
    }
  }

  /**
   * Forgets a user: zeroes their row and bias, puts every item only they had touched back to the
   * prior (a zero row and bias, what the L2 penalty gives an item without events), and hands the
   * items they shared with other users to {@link #refitSharedItems}, which each algorithm implements
   * as exactly as its loss allows.
   */
  @Override
  public Unlearning forgetUser(int user, int[] eventItems) {
    if (user < 0 || user >= userCount) {
      return super.forgetUser(user, eventItems);
    }
    int[] touched = history.items(user).clone();
    super.forgetUser(user, eventItems);
    int[] users = usersPerItem(touched);
    int reset = 0;
    int[] shared = new int[touched.length];
    int sharedCount = 0;
    for (int n = 0; n < touched.length; n++) {
      int item = touched[n];
      if (item >= itemCount) {
        continue;
      }
      if (users[n] == 0) {
        resetToPrior(item);
        reset++;
      } else {
        shared[sharedCount++] = item;
      }
    }
    Unlearning refit = sharedCount == 0 ? Unlearning.nothingToForget()
        : refitSharedItems(Arrays.copyOf(shared, sharedCount));
    invalidateCaches();
    invalidateDerivedState();
    Unlearning.Guarantee guarantee = sharedCount == 0 ? Unlearning.Guarantee.EXACT : refit.guarantee();
    return new Unlearning(guarantee, touched.length, refit.itemsResolved(), reset,
        "user row removed; " + reset + " items only the user touched reset to the prior"
            + (sharedCount == 0 ? "" : "; " + refit.method()));
  }

  /** For each item, how many users' histories still hold it. */
  private int[] usersPerItem(int[] sortedItems) {
    int[] counts = new int[sortedItems.length];
    for (int u = 0; u < history.users(); u++) {
      for (int item : history.items(u)) {
        int at = Arrays.binarySearch(sortedItems, item);
        if (at >= 0) {
          counts[at]++;
        }
      }
    }
    return counts;
  }

  /** Zero row and bias: an item the model has no event for. */
  protected void resetToPrior(int item) {
    Arrays.fill(itemFactors, item * factors, (item + 1) * factors, 0f);
    if (itemBias != null) {
      itemBias[item] = 0;
    }
    itemRowChanged(item);
  }

  /**
   * Removes a forgotten user's influence from items other users also touched (the user's row and
   * history are already gone). This default leaves them as they are: {@link
   * Unlearning.Guarantee#APPROXIMATE}.
   */
  protected Unlearning refitSharedItems(int[] items) {
    return new Unlearning(Unlearning.Guarantee.APPROXIMATE, 0, 0, 0,
        items.length + " shared items keep the user's influence until a retrain");
  }

  /** The users (and values) of each of {@code sortedItems} in the current histories. */
  protected ItemRaters itemUsers(int[] sortedItems) {
    int[] counts = usersPerItem(sortedItems);
    int[][] users = new int[sortedItems.length][];
    float[][] values = new float[sortedItems.length][];
    for (int n = 0; n < sortedItems.length; n++) {
      users[n] = new int[counts[n]];
      values[n] = new float[counts[n]];
    }
    int[] fill = new int[sortedItems.length];
    for (int u = 0; u < history.users(); u++) {
      int[] its = history.items(u);
      float[] vals = history.values(u);
      for (int h = 0; h < its.length; h++) {
        int at = Arrays.binarySearch(sortedItems, its[h]);
        if (at >= 0) {
          users[at][fill[at]] = u;
          values[at][fill[at]++] = vals[h];
        }
      }
    }
    return new ItemRaters(sortedItems, users, values);
  }

  /**
   * Who interacted with each of a set of items.
   *
   * @param items the items, sorted
   * @param users per item, the users holding it in their history
   * @param values per item, aligned with {@code users}
   */
  protected record ItemRaters(int[] items, int[][] users, float[][] values) {}

  @Override
  public void retireItem(int item) {
    super.retireItem(item);
    if (item >= 0 && item < itemCount) {
      Arrays.fill(itemFactors, item * factors, (item + 1) * factors, 0f);
      if (itemBias != null) {
        itemBias[item] = 0;
      }
      itemRowChanged(item);
      invalidateDerivedState();
    }
  }

  /** Copies of one user's and one item's parameters, to undo an update that diverged. */
  public record RowSnapshot(int user, int item, float[] userRow, float[] itemRow, float userBias, float itemBias) {}

  /** Copies the rows an update of (user, item) will touch; rows not yet allocated copy as null. */
  public RowSnapshot snapshotRows(int user, int item) {
    float[] u = user < userCount ? Arrays.copyOfRange(userFactors, user * factors, (user + 1) * factors) : null;
    float[] i = item < itemCount ? Arrays.copyOfRange(itemFactors, item * factors, (item + 1) * factors) : null;
    return new RowSnapshot(user, item, u, i,
        userBias != null && user < userCount ? userBias[user] : 0f,
        itemBias != null && item < itemCount ? itemBias[item] : 0f);
  }

  /** Puts the snapshot's rows back (rows that did not exist before are zeroed). */
  public void restoreRows(RowSnapshot s) {
    if (s.user() < userCount) {
      if (s.userRow() != null) {
        System.arraycopy(s.userRow(), 0, userFactors, s.user() * factors, factors);
      } else {
        Arrays.fill(userFactors, s.user() * factors, (s.user() + 1) * factors, 0f);
      }
      if (userBias != null) {
        userBias[s.user()] = s.userBias();
      }
      userRowChanged(s.user());
    }
    if (s.item() < itemCount) {
      if (s.itemRow() != null) {
        System.arraycopy(s.itemRow(), 0, itemFactors, s.item() * factors, factors);
      } else {
        Arrays.fill(itemFactors, s.item() * factors, (s.item() + 1) * factors, 0f);
      }
      if (itemBias != null) {
        itemBias[s.item()] = s.itemBias();
      }
      itemRowChanged(s.item());
    }
    invalidateDerivedState();
  }

  /** Hook for models that keep state derived from the rows (iALS's Gram matrices). */
  protected void invalidateDerivedState() {}

  /** Whether one user's and one item's rows are finite and within {@code maxNorm}. */
  public boolean rowsHealthy(int user, int item, float maxNorm) {
    return rowHealthy(userFactors, user, maxNorm) && rowHealthy(itemFactors, item, maxNorm);
  }

  private boolean rowHealthy(float[] table, int row, float maxNorm) {
    if (row < 0 || (row + 1) * factors > table.length) {
      return true;
    }
    double squared = 0;
    for (int d = row * factors; d < (row + 1) * factors; d++) {
      float v = table[d];
      if (!Float.isFinite(v)) {
        return false;
      }
      squared += (double) v * v;
    }
    return squared <= (double) maxNorm * maxNorm;
  }

  /**
   * Widens the factor tables to {@code newFactors} dimensions (progressive training: a small model
   * first, then a wider one that carries the learned values over). Every row keeps its values in the
   * first {@link #factors()} dimensions; the appended user dimensions are drawn as {@code userScale
   * · N(0, 1)} and the item ones as {@code itemScale · N(0, 1)}, users first, from {@code random}.
   * With either scale 0 the new dimensions add exactly zero to every dot product, so every score is
   * unchanged at the moment of widening, while SGD's gradient on the zero side (proportional to the
   * other side's small values) is not zero and the new dimensions start to learn.
   */
  protected void widenFactors(int newFactors, float userScale, float itemScale, SplittableRandom random) {
    if (newFactors < factors) {
      throw new IllegalArgumentException("cannot narrow " + factors + " factors to " + newFactors);
    }
    if (newFactors == factors) {
      return;
    }
    userFactors = widened(userFactors, userCount, factors, newFactors, userScale, random);
    itemFactors = widened(itemFactors, itemCount, factors, newFactors, itemScale, random);
    factors = newFactors;
    invalidateCaches();
  }

  /**
   * Puts back tables of {@code tableFactors} dimensions (a snapshot taken before a widening),
   * widened with zeros on both sides to the current width: the scores are the snapshot's.
   */
  protected void restoreFactorTables(int tableFactors, float[] users, float[] items) {
    if (tableFactors == factors) {
      System.arraycopy(users, 0, userFactors, 0, users.length);
      System.arraycopy(items, 0, itemFactors, 0, items.length);
    } else {
      userFactors = widened(users, userCount, tableFactors, factors, 0f, null);
      itemFactors = widened(items, itemCount, tableFactors, factors, 0f, null);
    }
    invalidateCaches();
  }

  private static float[] widened(float[] table, int rows, int from, int to, float scale, SplittableRandom random) {
    float[] out = new float[rows * to];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(table, r * from, out, r * to, from);
      if (scale != 0) {
        for (int d = from; d < to; d++) {
          out[r * to + d] = (float) (random.nextGaussian() * scale);
        }
      }
    }
    return out;
  }

  /** Clears cached values derived from the tables (call after changing them). */
  public void invalidateCaches() {
    itemNorms = null;
    itemColumns = null;
  }

  /**
   * Grows every table to the given counts; new rows are small random vectors from {@code random}.
   * Capacity grows geometrically, so a stream of new ids costs amortised O(1) copies per id.
   */
  protected void growTables(int users, int items, SplittableRandom random, float initScale) {
    if (users > userCount) {
      if (userFactors.length < users * factors) {
        int capacity = Math.max(users, userCount + userCount / 2 + 16);
        userFactors = Arrays.copyOf(userFactors, capacity * factors);
        if (userBias != null) {
          userBias = Arrays.copyOf(userBias, capacity);
        }
      }
      initRows(userFactors, userCount, users, random, initScale);
      userCount = users;
    }
    if (items > itemCount) {
      if (itemFactors.length < items * factors) {
        int capacity = Math.max(items, itemCount + itemCount / 2 + 16);
        itemFactors = Arrays.copyOf(itemFactors, capacity * factors);
        if (itemBias != null) {
          itemBias = Arrays.copyOf(itemBias, capacity);
        }
      }
      if (popularity.length < items) {
        popularity = Arrays.copyOf(popularity, Math.max(items, itemCount + itemCount / 2 + 16));
      }
      initRows(itemFactors, itemCount, items, random, initScale);
      itemCount = items;
      // The column cache extends itself on next use; only the norms are recomputed.
      itemNorms = null;
    }
    history.ensureUsers(userCount);
  }

  /**
   * Call after changing one item's row in place: keeps the transposed table and the norm cache in
   * step without rebuilding them (O(factors)).
   */
  protected void itemRowChanged(int item) {
    RowChanges changes = rowChanges;
    if (changes != null) {
      changes.itemChanged(item);
    }
    ItemColumns columns = itemColumns;
    if (columns != null && item < columns.rows) {
      for (int d = 0; d < factors; d++) {
        columns.data[d * columns.stride + item] = itemFactors[item * factors + d];
      }
    }
    float[] norms = itemNorms;
    if (norms != null && norms.length == itemCount) {
      norms[item] = VectorOps.norm(itemFactors, item * factors, factors);
    }
  }

  /** Call after changing one user's row or bias in place. */
  protected void userRowChanged(int user) {
    RowChanges changes = rowChanges;
    if (changes != null) {
      changes.userChanged(user);
    }
  }

  private void initRows(float[] table, int fromRow, int toRow, SplittableRandom random, float scale) {
    for (int p = fromRow * factors; p < toRow * factors; p++) {
      table[p] = (float) (random.nextGaussian() * scale);
    }
  }

  /** Random normal initialisation of a {@code rows × factors} table. */
  public static float[] randomTable(int rows, int factors, SplittableRandom random, float scale) {
    MemoryBudget.checkTable("factor table", rows, factors);
    float[] t = new float[rows * factors];
    for (int p = 0; p < t.length; p++) {
      t[p] = (float) (random.nextGaussian() * scale);
    }
    return t;
  }

  /** Saves the shared sections: factors, biases, popularity, history. */
  protected void saveCommon(ModelState state) {
    state.put("user_factors", Arrays.copyOf(userFactors, userCount * factors))
        .put("item_factors", Arrays.copyOf(itemFactors, itemCount * factors))
        .put("popularity", Arrays.copyOf(popularity, itemCount)).put("global_bias", new float[] {globalBias})
        .put("shape", new int[] {userCount, itemCount, factors});
    if (userBias != null) {
      state.put("user_bias", Arrays.copyOf(userBias, userCount));
    }
    if (itemBias != null) {
      state.put("item_bias", Arrays.copyOf(itemBias, itemCount));
    }
    history.saveTo(state, "history");
  }

  /** Reads and checks the shape section: users, items, factors. */
  protected static int[] shapeOf(ModelState state) {
    int[] shape = state.ints("shape");
    if (shape.length != 3 || shape[0] < 0 || shape[1] < 0 || shape[2] <= 0) {
      throw new IllegalArgumentException("bad shape section");
    }
    check(state.floats("user_factors").length == shape[0] * shape[2], "user_factors size");
    check(state.floats("item_factors").length == shape[1] * shape[2], "item_factors size");
    return shape;
  }

  protected static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("inconsistent model state: " + what);
    }
  }
}
