package io.perennial.eval;

/**
 * What to measure.
 *
 * @param k cut-off of the ranking metrics
 * @param ratingMetrics compute RMSE and MAE (explicit models)
 * @param auc compute AUC (needs every item's score per user)
 * @param relevanceThreshold test events with a value below this are not relevant for ranking
 * @param threads users scored in parallel
 */
public record EvalSettings(int k, boolean ratingMetrics, boolean auc, float relevanceThreshold, int threads) {
  public EvalSettings {
    if (k < 1 || threads < 1) {
      throw new IllegalArgumentException("k and threads must be >= 1");
    }
  }

  public static EvalSettings ranking(int k) {
    return new EvalSettings(k, false, true, -Float.MAX_VALUE, Runtime.getRuntime().availableProcessors());
  }

  public EvalSettings withRatingMetrics(boolean on) {
    return new EvalSettings(k, on, auc, relevanceThreshold, threads);
  }

  public EvalSettings withRelevanceThreshold(float t) {
    return new EvalSettings(k, ratingMetrics, auc, t, threads);
  }

  public EvalSettings withAuc(boolean on) {
    return new EvalSettings(k, ratingMetrics, on, relevanceThreshold, threads);
  }
}
