package io.perennial.model;

/** Scores a model on held-out data for early stopping. */
public interface Validator {

  /** Name of the metric, e.g. {@code ndcg@10} or {@code rmse}. */
  String metric();

  /** Whether larger values are better (NDCG) or smaller (RMSE). */
  boolean higherIsBetter();

  double evaluate(Recommender model);
}
