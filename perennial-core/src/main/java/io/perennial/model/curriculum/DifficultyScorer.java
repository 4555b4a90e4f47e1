package io.perennial.model.curriculum;

import java.util.Locale;
import java.util.function.IntToDoubleFunction;

/**
 * How hard a training example (a user–item interaction) is; higher is harder. The first two read
 * only the training data, the last two a model:
 *
 * <ul>
 *   <li>{@link #POPULARITY}: popular items are easy (many examples say the same thing about them);
 *       difficulty is minus the item's number of examples.
 *   <li>{@link #ACTIVITY}: examples of active users are easy (their vectors are well determined);
 *       minus the user's number of examples.
 *   <li>{@link #SELF_PACED}: the current model's loss on the example, re-scored before every epoch
 *       (Kumar et al., 2010): the model itself decides what it is ready for.
 *   <li>{@link #TEACHER}: a trained teacher's verdict, scored once before training: for a ranking
 *       model minus its score margin of the positive over sampled negatives, for a rating model its
 *       squared error. The trainer trains the teacher (the same model without the curriculum).
 * </ul>
 */
public enum DifficultyScorer {
  POPULARITY,
  ACTIVITY,
  SELF_PACED,
  TEACHER;

  /** The name in configs and on the command line: popularity, activity, self-paced, teacher. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses a config name (self-paced or self_paced), naming the choices when it is none of them. */
  public static DifficultyScorer parse(String name) {
    for (DifficultyScorer s : values()) {
      if (s.configName().equalsIgnoreCase(name.replace('_', '-'))) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown curriculum scorer '" + name
        + "' (expected popularity, activity, self-paced or teacher)");
  }

  /** Whether the difficulty comes from a model (the current one or a teacher) rather than counts. */
  public boolean readsModel() {
    return this == SELF_PACED || this == TEACHER;
  }

  /** Whether the difficulties change from epoch to epoch (and so are recomputed before each). */
  public boolean rescoresEachEpoch() {
    return this == SELF_PACED;
  }

  /**
   * The difficulty of every example. {@code modelDifficulty} gives example {@code e}'s difficulty
   * under the model the scorer reads (the current model or the teacher) and is not called by the
   * count-based scorers (may be {@code null} for them).
   */
  public double[] difficulties(int[] users, int[] items, int userCount, int itemCount,
      IntToDoubleFunction modelDifficulty) {
    int n = users.length;
    double[] d = new double[n];
    switch (this) {
      case POPULARITY -> {
        int[] counts = counts(items, itemCount);
        for (int e = 0; e < n; e++) {
          d[e] = -counts[items[e]];
        }
      }
      case ACTIVITY -> {
        int[] counts = counts(users, userCount);
        for (int e = 0; e < n; e++) {
          d[e] = -counts[users[e]];
        }
      }
      default -> {
        if (modelDifficulty == null) {
          throw new IllegalStateException(configName() + " needs a model to score the examples");
        }
        for (int e = 0; e < n; e++) {
          d[e] = modelDifficulty.applyAsDouble(e);
        }
      }
    }
    return d;
  }

  /** A model's score of a (user, item) pair. */
  @FunctionalInterface
  public interface PairScore {
    double score(int user, int item);
  }

  /**
   * The difficulty of each positive (user, item) under a ranking model: over {@code negatives}
   * uniform items j (drawn from {@code seed} and the example's index, so the same on every run and
   * thread; not checked against the user's history, a positive drawn as a negative being rare), the
   * mean BPR loss {@code ln(1 + e^(−(s_ui − s_uj)))} when {@code loss} (self-paced), else minus the
   * mean margin {@code s_ui − s_uj} (a teacher's margin).
   */
  public static IntToDoubleFunction rankingDifficulty(PairScore model, int[] users, int[] items, int itemCount,
      int negatives, long seed, boolean loss) {
    return e -> {
      java.util.SplittableRandom rng = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + e);
      int u = users[e];
      double si = model.score(u, items[e]);
      double sum = 0;
      for (int n = 0; n < negatives; n++) {
        double x = si - model.score(u, rng.nextInt(itemCount));
        sum += loss ? Math.log1p(Math.exp(-x)) : -x;
      }
      return sum / negatives;
    };
  }

  private static int[] counts(int[] ids, int size) {
    int[] c = new int[size];
    for (int id : ids) {
      c[id]++;
    }
    return c;
  }
}
