package io.perennial.eval;

import java.util.Arrays;

/**
 * Per-user ranking metrics with binary relevance. Each method takes the recommended ids (best
 * first) and the user's relevant items sorted ascending.
 */
public final class RankingMetrics {

  private RankingMetrics() {}

  static boolean relevant(int[] sortedRelevant, int id) {
    return Arrays.binarySearch(sortedRelevant, id) >= 0;
  }

  static int hits(int[] ranked, int k, int[] relevant) {
    int h = 0;
    for (int r = 0; r < Math.min(k, ranked.length); r++) {
      if (relevant(relevant, ranked[r])) {
        h++;
      }
    }
    return h;
  }

  /** Hits in the top K divided by K. */
  public static double precision(int[] ranked, int k, int[] relevant) {
    return k == 0 ? 0 : (double) hits(ranked, k, relevant) / k;
  }

  /** Hits in the top K divided by the number of relevant items. */
  public static double recall(int[] ranked, int k, int[] relevant) {
    return relevant.length == 0 ? 0 : (double) hits(ranked, k, relevant) / relevant.length;
  }

  /** Harmonic mean of precision and recall at K. */
  public static double f1(int[] ranked, int k, int[] relevant) {
    double p = precision(ranked, k, relevant);
    double r = recall(ranked, k, relevant);
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  /** 1 when at least one relevant item is in the top K. */
  public static double hitRate(int[] ranked, int k, int[] relevant) {
    return hits(ranked, k, relevant) > 0 ? 1 : 0;
  }

  /**
   * {@code DCG@K / IDCG@K} with gains 1 for relevant items: {@code DCG = Σ_r rel_r / log2(r + 2)}
   * (0-based rank r), {@code IDCG} the DCG of min(|relevant|, K) hits at the top.
   */
  public static double ndcg(int[] ranked, int k, int[] relevant) {
    if (relevant.length == 0) {
      return 0;
    }
    double dcg = 0;
    for (int r = 0; r < Math.min(k, ranked.length); r++) {
      if (relevant(relevant, ranked[r])) {
        dcg += 1 / log2(r + 2);
      }
    }
    double idcg = 0;
    for (int r = 0; r < Math.min(k, relevant.length); r++) {
      idcg += 1 / log2(r + 2);
    }
    return dcg / idcg;
  }

  /** Reciprocal rank of the first relevant item within the top K (0 when none). */
  public static double reciprocalRank(int[] ranked, int k, int[] relevant) {
    for (int r = 0; r < Math.min(k, ranked.length); r++) {
      if (relevant(relevant, ranked[r])) {
        return 1.0 / (r + 1);
      }
    }
    return 0;
  }

  /** Average precision at K: {@code Σ_r P@(r+1)·rel_r / min(|relevant|, K)}. */
  public static double averagePrecision(int[] ranked, int k, int[] relevant) {
    if (relevant.length == 0) {
      return 0;
    }
    double sum = 0;
    int h = 0;
    for (int r = 0; r < Math.min(k, ranked.length); r++) {
      if (relevant(relevant, ranked[r])) {
        h++;
        sum += (double) h / (r + 1);
      }
    }
    return sum / Math.min(relevant.length, k);
  }

  /**
   * Area under the ROC curve over the candidate items: the probability that a random relevant
   * candidate scores above a random non-relevant one (ties count half).
   *
   * @param scores scores of every item
   * @param candidate which items are candidates (not seen in training)
   */
  public static double auc(float[] scores, boolean[] candidate, int[] relevant) {
    int n = 0;
    for (boolean c : candidate) {
      if (c) {
        n++;
      }
    }
    long[] keys = new long[n];
    int m = 0;
    for (int i = 0; i < candidate.length; i++) {
      if (candidate[i]) {
        int bits = Float.floatToIntBits(Float.isNaN(scores[i]) ? Float.NEGATIVE_INFINITY : scores[i]);
        int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
        keys[m++] = ((long) sortable << 32) | i;
      }
    }
    Arrays.sort(keys);
    // Rank-sum (Mann–Whitney U) with average ranks for ties.
    double rankSum = 0;
    long positives = 0;
    int start = 0;
    while (start < n) {
      int end = start;
      int scoreKey = (int) (keys[start] >> 32);
      while (end < n && (int) (keys[end] >> 32) == scoreKey) {
        end++;
      }
      double avgRank = (start + 1 + end) / 2.0;
      for (int p = start; p < end; p++) {
        if (relevant(relevant, (int) keys[p])) {
          rankSum += avgRank;
          positives++;
        }
      }
      start = end;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
