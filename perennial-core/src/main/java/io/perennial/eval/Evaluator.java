package io.perennial.eval;

import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.model.Parallel;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
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
 * Users are averaged with equal weight; splits likewise.
 */
public final class Evaluator {

  private Evaluator() {}

  /** Trains {@code trainer} on every split of {@code data} and evaluates it. */
  public static EvaluationResult run(Trainer trainer, Dataset data, List<Split> splits,
      EvalSettings settings, TrainingOptions training) {
    List<Map<String, Double>> perSplit = new ArrayList<>();
    List<String> names = new ArrayList<>();
    double trainSeconds = 0;
    double evalSeconds = 0;
    long users = 0;
    for (Split split : splits) {
      long t0 = System.nanoTime();
      Recommender model = trainer.fit(data.withLog(split.train()), training);
      long t1 = System.nanoTime();
      Map<String, Double> metrics = evaluate(model, split.test(), settings);
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
   * Scores {@code model} on {@code test}. The returned map also holds {@code users}, the number of
   * users evaluated.
   */
  public static Map<String, Double> evaluate(Recommender model, InteractionLog test, EvalSettings settings) {
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
    int[] users = java.util.stream.IntStream.range(0, relevant.length)
        .filter(u -> relevant[u] != null && relevant[u].length > 0).toArray();
    int k = settings.k();
    String[] names = {"precision@" + k, "recall@" + k, "f1@" + k, "ndcg@" + k, "hr@" + k, "mrr", "map@" + k, "auc"};
    double[][] perUser = new double[users.length][names.length];
    BitSet recommended = new BitSet(model.itemCount());
    AtomicInteger next = new AtomicInteger();
    Runnable worker = () -> {
      float[] scores = settings.auc() ? new float[model.itemCount()] : null;
      boolean[] candidate = settings.auc() ? new boolean[model.itemCount()] : null;
      BitSet local = new BitSet(model.itemCount());
      int n;
      while ((n = next.getAndIncrement()) < users.length) {
        int u = users[n];
        int[] rel = relevant[u];
        Recommendations recs = model.recommend(u, k, true, null);
        int[] ids = recs.ids();
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
          model.scoreItems(u, scores);
          Arrays.fill(candidate, true);
          if (model instanceof io.perennial.model.AbstractRecommender ar) {
            for (int seen : ar.history().items(u)) {
              if (seen < candidate.length) {
                candidate[seen] = false;
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
