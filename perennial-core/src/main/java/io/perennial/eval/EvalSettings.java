package io.perennial.eval;

import java.util.Objects;

/**
 * What to measure.
 *
 * @param k cut-off of the ranking metrics
 * @param ratingMetrics compute RMSE and MAE (explicit models)
 * @param auc compute AUC (needs every item's score per user)
 * @param relevanceThreshold test events with a value below this are not relevant for ranking
 * @param threads users scored in parallel
 * @param candidates what the held-out items are ranked against (full ranking or sampled)
 */
public record EvalSettings(
    int k, boolean ratingMetrics, boolean auc, float relevanceThreshold, int threads, Candidates candidates) {
  public EvalSettings {
    if (k < 1 || threads < 1) {
      throw new IllegalArgumentException("k and threads must be >= 1");
    }
    Objects.requireNonNull(candidates, "candidates");
  }

  /** Full ranking, no candidate sampling. */
  public EvalSettings(int k, boolean ratingMetrics, boolean auc, float relevanceThreshold, int threads) {
    this(k, ratingMetrics, auc, relevanceThreshold, threads, Candidates.ALL);
  }

  public static EvalSettings ranking(int k) {
    return new EvalSettings(k, false, true, -Float.MAX_VALUE, Runtime.getRuntime().availableProcessors());
  }

  public EvalSettings withRatingMetrics(boolean on) {
    return new EvalSettings(k, on, auc, relevanceThreshold, threads, candidates);
  }

  public EvalSettings withRelevanceThreshold(float t) {
    return new EvalSettings(k, ratingMetrics, auc, t, threads, candidates);
  }

  public EvalSettings withAuc(boolean on) {
    return new EvalSettings(k, ratingMetrics, on, relevanceThreshold, threads, candidates);
  }

  /** The same settings ranking against {@code set}. */
  public EvalSettings withCandidates(Candidates set) {
    return new EvalSettings(k, ratingMetrics, auc, relevanceThreshold, threads, set);
  }
}
