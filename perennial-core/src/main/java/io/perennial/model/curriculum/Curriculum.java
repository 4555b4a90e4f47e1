package io.perennial.model.curriculum;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

/**
 * Which training examples an epoch trains on, in which order: the {@link Pacing} share of them,
 * easiest first by the {@link DifficultyScorer} (hardest first for the anti-curriculum). Ties in
 * difficulty (every example of one item under {@code popularity}) are broken by a permutation drawn
 * once from the seed, so a curriculum is the same on every run. Trainers shuffle the selection for
 * SGD (an epoch sorted from easy to hard would end every epoch on the hardest examples); BPR samples
 * its positives from it.
 */
public final class Curriculum {

  private final CurriculumConfig config;
  private final DifficultyScorer scorer;
  private final Pacing pacing;
  private final int[] users;
  private final int[] items;
  private final int userCount;
  private final int itemCount;
  /** Rank of each example among equals: the tie-break. */
  private final int[] tieRank;
  /**
   * The count-based scorer's difficulty of each example, when the caller defines it (examples
   * that are not single interactions), else {@code null}: computed from {@code users} and {@code items}.
   */
  private final double[] countDifficulty;
  /** The order when the difficulties do not change between epochs, computed on first use. */
  private int[] fixedOrder;

  /**
   * @param users the examples' users
   * @param items the examples' items (parallel to {@code users})
   * @param seed seeds the tie-break permutation
   */
  public Curriculum(CurriculumConfig config, int[] users, int[] items, int userCount, int itemCount, long seed) {
    this(config, users, items, userCount, itemCount, null, seed);
  }

  /**
   * A curriculum over examples that are not single interactions (SASRec's training windows): the
   * caller gives each example's difficulty under the configured count-based scorer ({@code
   * popularity} or {@code activity}, higher is harder; ignored, may be {@code null}, for the
   * model-based scorers, which read the function given to {@link #examples}).
   *
   * @param size number of examples
   * @param countDifficulty per example, or {@code null} when the scorer reads a model
   * @param seed seeds the tie-break permutation
   */
  public static Curriculum overExamples(CurriculumConfig config, int size, double[] countDifficulty, long seed) {
    if (!config.difficultyScorer().readsModel() && (countDifficulty == null || countDifficulty.length != size)) {
      throw new IllegalArgumentException(config.scorer() + " needs a difficulty for each of the " + size + " examples");
    }
    return new Curriculum(config, new int[size], new int[size], 1, 1,
        countDifficulty == null ? null : countDifficulty.clone(), seed);
  }

  private Curriculum(CurriculumConfig config, int[] users, int[] items, int userCount, int itemCount,
      double[] countDifficulty, long seed) {
    if (users.length != items.length) {
      throw new IllegalArgumentException("users and items must be parallel");
    }
    this.countDifficulty = countDifficulty;
    this.config = config;
    this.scorer = config.difficultyScorer();
    this.pacing = config.pacingFunction();
    this.users = users;
    this.items = items;
    this.userCount = userCount;
    this.itemCount = itemCount;
    int n = users.length;
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    tieRank = new int[n];
    for (int i = 0; i < n; i++) {
      tieRank[perm[i]] = i;
    }
  }

  public CurriculumConfig config() {
    return config;
  }

  public DifficultyScorer scorer() {
    return scorer;
  }

  /** Number of examples. */
  public int size() {
    return users.length;
  }

  /** The share of examples epoch {@code epoch} trains on. */
  public double fraction(int epoch) {
    // the float's decimal value (0.3f is 0.30000001192…, which would make ceil(0.3 · 10) = 4)
    double start = Double.parseDouble(Float.toString(config.start()));
    return pacing.fraction(epoch, start, config.fullAt(), config.steps());
  }

  /** How many examples epoch {@code epoch} trains on: {@code ceil(fraction · n)}, at least 1 when there are any. */
  public int count(int epoch) {
    int n = users.length;
    if (n == 0) {
      return 0;
    }
    return (int) Math.min(n, Math.max(1, Math.ceil(fraction(epoch) * n - 1e-9)));
  }

  /**
   * The examples (indices into the arrays given at construction) epoch {@code epoch} trains on,
   * easiest first (hardest first when {@code anti}).
   *
   * @param modelDifficulty example {@code e}'s difficulty under the model the scorer reads: the
   *     current model for {@code self-paced} (called every epoch), the teacher for {@code teacher}
   *     (called once); unused, may be {@code null}, for the count-based scorers
   */
  public int[] examples(int epoch, IntToDoubleFunction modelDifficulty) {
    int[] order;
    if (scorer.rescoresEachEpoch()) {
      order = order(modelDifficulty);
    } else {
      if (fixedOrder == null) {
        fixedOrder = order(modelDifficulty);
      }
      order = fixedOrder;
    }
    return Arrays.copyOf(order, count(epoch));
  }

  /** Whether the next call to {@link #examples} reads {@code modelDifficulty}. */
  public boolean needsModel(int epoch) {
    return scorer.readsModel() && (scorer.rescoresEachEpoch() || fixedOrder == null);
  }

  private int[] order(IntToDoubleFunction modelDifficulty) {
    double[] d = countDifficulty != null && !scorer.readsModel() ? countDifficulty
        : scorer.difficulties(users, items, userCount, itemCount, modelDifficulty);
    int n = d.length;
    double sign = config.anti() ? -1 : 1;
    // sorted by (difficulty, tie rank) with a merge sort on primitive indices: no boxing
    double[] sorted = new double[n];
    for (int e = 0; e < n; e++) {
      double v = sign * d[e];
      sorted[e] = Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
    }
    int[] order = new int[n];
    for (int e = 0; e < n; e++) {
      order[e] = e;
    }
    int[] tmp = new int[n];
    mergeSort(order, tmp, 0, n, sorted);
    return order;
  }

  private void mergeSort(int[] a, int[] tmp, int from, int to, double[] v) {
    if (to - from < 2) {
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(a, tmp, from, mid, v);
    mergeSort(a, tmp, mid, to, v);
    int i = from;
    int j = mid;
    int k = from;
    while (i < mid && j < to) {
      tmp[k++] = less(a[j], a[i], v) ? a[j++] : a[i++];
    }
    while (i < mid) {
      tmp[k++] = a[i++];
    }
    while (j < to) {
      tmp[k++] = a[j++];
    }
    System.arraycopy(tmp, from, a, from, to - from);
  }

  private boolean less(int x, int y, double[] v) {
    int c = Double.compare(v[x], v[y]);
    return c < 0 || (c == 0 && tieRank[x] < tieRank[y]);
  }
}
