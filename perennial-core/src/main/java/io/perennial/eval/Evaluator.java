package io.perennial.eval;

import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.model.Parallel;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.SequenceAware;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Trains on each split and scores the held-out events: RMSE/MAE on the test pairs, and ranking
 * metrics from each test user's top-K over every item the user did not interact with in training.
 * A {@link SequenceAware} model observes a split's validation events after training and before
 * the test, so a sequential model predicts the test item from everything before it.
 * Users are averaged with equal weight; splits likewise.
 */
public final class Evaluator {

  private Evaluator() {}

  /**
   * Trains {@code trainer} on every split of {@code data} and evaluates it. With a sampled candidate
   * set, "never interacted with" means nowhere in {@code data}; in full ranking the items a user
   * interacted with outside the training part (a leave-one-out validation item when testing) are
   * not candidates either, only the held-out ones.
   */
  public static EvaluationResult run(Trainer trainer, Dataset data, List<Split> splits,
      EvalSettings settings, TrainingOptions training) {
    return run(trainer, data, splits, settings, training, null, 1);
  }

  /**
   * As {@link #run(Trainer, Dataset, List, EvalSettings, TrainingOptions)}, with early stopping on
   * each split's validation part ({@link Split#validation()}, e.g. leave-one-out's second-to-last
   * items) by {@code earlyStoppingMetric}, ranked against the same kind of candidate set as the test.
   *
   * @param earlyStoppingMetric e.g. {@code ndcg@10}; {@code null}: no early stopping
   * @throws IllegalArgumentException when early stopping is asked for and a split has no validation part
   */
  public static EvaluationResult run(Trainer trainer, Dataset data, List<Split> splits,
      EvalSettings settings, TrainingOptions training, String earlyStoppingMetric, int patience) {
    List<Map<String, Double>> perSplit = new ArrayList<>();
    List<String> names = new ArrayList<>();
    double trainSeconds = 0;
    double evalSeconds = 0;
    long users = 0;
    for (Split split : splits) {
      TrainingOptions options = training;
      if (earlyStoppingMetric != null) {
        if (!split.hasValidation()) {
          throw new IllegalArgumentException("early stopping needs a validation part, and split '"
              + split.name() + "' has none (the loo protocol holds one out)");
        }
        InteractionLog known = split.train().copy();
        for (int e = 0; e < split.validation().size(); e++) {
          known.add(split.validation().get(e));
        }
        options = training.withEarlyStopping(
            new HoldoutValidator(split.validation(), earlyStoppingMetric, settings, known), patience);
      }
      long t0 = System.nanoTime();
      Recommender model = trainer.fit(data.withLog(split.train()), options);
      if (split.hasValidation() && model instanceof SequenceAware sequential) {
        // as in the sequential papers: the test item follows the training and validation items
        sequential.observe(split.validation());
      }
      long t1 = System.nanoTime();
      Map<String, Double> metrics = evaluate(model, split.test(), settings, data.log(), split.candidateItems());
      long t2 = System.nanoTime();
      trainSeconds += (t1 - t0) / 1e9;
      evalSeconds += (t2 - t1) / 1e9;
      users += metrics.getOrDefault("users", 0.0).longValue();
      metrics.remove("users");
      perSplit.add(metrics);
      names.add(split.name());
    }
    Map<String, Double> mean = new LinkedHashMap<>();
    for (String key : perSplit.get(0).keySet()) {
      mean.put(key, perSplit.stream().mapToDouble(m -> m.get(key)).average().orElse(Double.NaN));
    }
    return new EvaluationResult(mean, perSplit, names, trainSeconds, evalSeconds, users);
  }

  /**
   * Scores {@code model} on {@code test}, candidates limited only by the model's training history.
   * The returned map also holds {@code users}, the number of users evaluated.
   */
  public static Map<String, Double> evaluate(Recommender model, InteractionLog test, EvalSettings settings) {
    return evaluate(model, test, settings, null);
  }

  /**
   * Scores {@code model} on {@code test}. A user's candidates are the items they never interacted
   * with in {@code known} plus their relevant test items: all of them ({@link Candidates#ALL}; the
   * items the model saw in training are excluded as well), or the relevant items against N sampled
   * ones. Ranked by score; ties broken by a seeded shuffle of the candidates, so that a model giving
   * many items one score is not favoured by item order. The returned map also holds {@code users}.
   *
   * @param known every interaction the users are known to have had (e.g. the whole data set, or
   *     training plus validation when validating); {@code null}: the model's training history
   */
  public static Map<String, Double> evaluate(
      Recommender model, InteractionLog test, EvalSettings settings, InteractionLog known) {
    return evaluate(model, test, settings, known, null);
  }

  /**
   * As {@link #evaluate(Recommender, InteractionLog, EvalSettings, InteractionLog)}, ranking each
   * user's held-out items over {@code restrictTo} only (e.g. the cold items of {@code cold-items}):
   * every restricted item the user has not interacted with outside the test part, scored by the
   * model and ranked with the same seeded tie-break as sampled candidates, whichever the model.
   *
   * @param restrictTo sorted distinct candidate items; {@code null}: no restriction
   * @throws IllegalArgumentException when a restriction is combined with sampled candidates
   */
  public static Map<String, Double> evaluate(Recommender model, InteractionLog test, EvalSettings settings,
      InteractionLog known, int[] restrictTo) {
    if (restrictTo != null && !settings.candidates().isAll()) {
      throw new IllegalArgumentException("a protocol that fixes the candidate items (cold-items) ranks over all of "
          + "them; sampled candidates (" + settings.candidates().cliName() + ") cannot be combined with it");
    }
    Map<String, Double> out = new LinkedHashMap<>();
    if (settings.ratingMetrics()) {
      double se = 0;
      double ae = 0;
      for (int e = 0; e < test.size(); e++) {
        double err = test.value(e) - model.score(test.user(e), test.item(e));
        se += err * err;
        ae += Math.abs(err);
      }
      out.put("rmse", Math.sqrt(se / Math.max(1, test.size())));
      out.put("mae", ae / Math.max(1, test.size()));
    }
    int[][] relevant = relevantByUser(test, settings.relevanceThreshold());
    int[][] touched = known == null ? null : relevantByUser(known, -Float.MAX_VALUE);
    int[] users = java.util.stream.IntStream.range(0, relevant.length)
        .filter(u -> relevant[u] != null && relevant[u].length > 0).toArray();
    int k = settings.k();
    Candidates candidates = settings.candidates();
    int items = Math.max(model.itemCount(), Math.max(test.itemBound(), known == null ? 0 : known.itemBound()));
    String[] names = {"precision@" + k, "recall@" + k, "f1@" + k, "ndcg@" + k, "hr@" + k, "mrr", "map@" + k, "auc"};
    double[][] perUser = new double[users.length][names.length];
    BitSet recommended = new BitSet(items);
    AtomicInteger next = new AtomicInteger();
    Runnable worker = () -> {
      boolean sampled = !candidates.isAll();
      boolean restricted = restrictTo != null;
      float[] scores = settings.auc() || sampled || restricted ? new float[items] : null;
      boolean[] candidate = settings.auc() ? new boolean[items] : null;
      BitSet scratch = sampled ? new BitSet(items) : null;
      BitSet local = new BitSet(items);
      int n;
      while ((n = next.getAndIncrement()) < users.length) {
        int u = users[n];
        int[] rel = relevant[u];
        int[] seen = touched == null || u >= touched.length || touched[u] == null ? null : touched[u];
        int[] ids;
        int[] pool = null;
        if (restricted) {
          int[] avoid = seen != null ? minus(seen, rel) : minus(history(model, u), rel);
          pool = minus(restrictTo, avoid);
          scoreInto(model, u, scores);
          ids = rankCandidates(pool, scores, k, Candidates.mix(0x5DEECE66DL, u));
        } else if (sampled) {
          int[] avoid = seen != null ? seen : union(history(model, u), rel);
          pool = candidates.pool(u, rel, union(avoid, rel), items, scratch);
          scoreInto(model, u, scores);
          ids = rankCandidates(pool, scores, k, Candidates.mix(candidates.seed() ^ 0x5DEECE66DL, u));
        } else {
          // Only what the model cannot exclude itself (a loo validation item): the training items go
          // by excludeSeen, and a filter over every item of every user would cost a search each.
          int[] excluded = seen == null ? null : minus(minus(seen, rel), history(model, u));
          java.util.function.IntPredicate filter = excluded == null || excluded.length == 0
              ? null : i -> Arrays.binarySearch(excluded, i) < 0;
          ids = model.recommend(u, k, true, filter).ids();
        }
        for (int id : ids) {
          local.set(id);
        }
        double[] row = perUser[n];
        row[0] = RankingMetrics.precision(ids, k, rel);
        row[1] = RankingMetrics.recall(ids, k, rel);
        row[2] = RankingMetrics.f1(ids, k, rel);
        row[3] = RankingMetrics.ndcg(ids, k, rel);
        row[4] = RankingMetrics.hitRate(ids, k, rel);
        row[5] = RankingMetrics.reciprocalRank(ids, k, rel);
        row[6] = RankingMetrics.averagePrecision(ids, k, rel);
        if (settings.auc()) {
          if (!sampled && !restricted) {
            scoreInto(model, u, scores);
          }
          if (pool != null) {
            Arrays.fill(candidate, false);
            for (int c : pool) {
              candidate[c] = true;
            }
          } else {
            Arrays.fill(candidate, true);
            for (int s : seen != null ? minus(seen, rel) : new int[0]) {
              candidate[s] = false;
            }
            for (int s : history(model, u)) {
              if (s < candidate.length) {
                candidate[s] = false;
              }
            }
          }
          row[7] = RankingMetrics.auc(scores, candidate, rel);
        } else {
          row[7] = Double.NaN;
        }
      }
      synchronized (recommended) {
        recommended.or(local);
      }
    };
    Parallel.run(worker, Math.min(settings.threads(), Math.max(1, users.length / 16)));
    for (int m = 0; m < names.length; m++) {
      if (m == 7 && !settings.auc()) {
        continue;
      }
      double sum = 0;
      int count = 0;
      for (double[] row : perUser) {
        if (!Double.isNaN(row[m])) {
          sum += row[m];
          count++;
        }
      }
      out.put(names[m], count == 0 ? Double.NaN : sum / count);
    }
    out.put("coverage@" + k, model.itemCount() == 0 ? 0 : (double) recommended.cardinality() / model.itemCount());
    out.put("users", (double) users.length);
    return out;
  }

  /**
   * The top {@code k} of {@code pool} by score, best first. The pool is shuffled with {@code seed}
   * first and the sort is stable, so ties fall in a random but reproducible order.
   */
  static int[] rankCandidates(int[] pool, float[] scores, int k, long seed) {
    int[] order = pool.clone();
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    Integer[] boxed = new Integer[order.length];
    for (int i = 0; i < order.length; i++) {
      boxed[i] = order[i];
    }
    // NaN scores rank last; Arrays.sort on objects is stable (merge sort).
    Arrays.sort(boxed, (a, b) -> Float.compare(key(scores[b]), key(scores[a])));
    int[] top = new int[Math.min(k, boxed.length)];
    for (int i = 0; i < top.length; i++) {
      top[i] = boxed[i];
    }
    return top;
  }

  private static float key(float score) {
    return Float.isNaN(score) ? Float.NEGATIVE_INFINITY : score;
  }

  /** Every item's score; items beyond the model's table score −∞ (it cannot rank what it never saw). */
  private static void scoreInto(Recommender model, int user, float[] scores) {
    int modelItems = model.itemCount();
    if (modelItems == scores.length) {
      model.scoreItems(user, scores);
      return;
    }
    float[] own = new float[modelItems];
    model.scoreItems(user, own);
    System.arraycopy(own, 0, scores, 0, Math.min(modelItems, scores.length));
    Arrays.fill(scores, Math.min(modelItems, scores.length), scores.length, Float.NEGATIVE_INFINITY);
  }

  private static int[] history(Recommender model, int user) {
    return model instanceof io.perennial.model.AbstractRecommender ar ? ar.history().items(user) : new int[0];
  }

  /** Sorted distinct union of two sorted arrays. */
  static int[] union(int[] a, int[] b) {
    return java.util.stream.IntStream.concat(Arrays.stream(a), Arrays.stream(b)).sorted().distinct().toArray();
  }

  /** The sorted {@code a} without the items of the sorted {@code b}. */
  static int[] minus(int[] a, int[] b) {
    return Arrays.stream(a).filter(i -> Arrays.binarySearch(b, i) < 0).toArray();
  }

  /** Sorted relevant items per user (null for users without test events). */
  static int[][] relevantByUser(InteractionLog test, float threshold) {
    int users = test.userBound();
    int[] counts = new int[users];
    for (int e = 0; e < test.size(); e++) {
      if (test.value(e) >= threshold) {
        counts[test.user(e)]++;
      }
    }
    int[][] rel = new int[users][];
    for (int u = 0; u < users; u++) {
      if (counts[u] > 0) {
        rel[u] = new int[counts[u]];
      }
    }
    int[] fill = new int[users];
    for (int e = 0; e < test.size(); e++) {
      if (test.value(e) >= threshold) {
        int u = test.user(e);
        rel[u][fill[u]++] = test.item(e);
      }
    }
    for (int u = 0; u < users; u++) {
      if (rel[u] != null) {
        rel[u] = Arrays.stream(rel[u]).sorted().distinct().toArray();
      }
    }
    return rel;
  }
}
