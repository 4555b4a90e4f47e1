package io.perennial.eval;

import io.perennial.data.InteractionLog;
import io.perennial.model.Recommender;
import io.perennial.model.Validator;

/**
 * Early-stopping validator: scores the model on a held-out log after each epoch with one metric
 * ({@code rmse} or a ranking metric such as {@code ndcg@10}).
 */
public final class HoldoutValidator implements Validator {

  private final InteractionLog holdout;
  private final String metric;
  private final EvalSettings settings;

  /**
   * @param metric {@code rmse}, {@code mae}, or a ranking metric at the settings' K, e.g. {@code
   *     ndcg@10}, {@code recall@10}, {@code hr@10}
   */
  public HoldoutValidator(InteractionLog holdout, String metric, int k) {
    this.holdout = holdout;
    this.metric = metric;
    boolean rating = metric.equals("rmse") || metric.equals("mae");
    this.settings = EvalSettings.ranking(k).withAuc(false).withRatingMetrics(rating);
    if (!rating && !metric.endsWith("@" + k) && !metric.equals("mrr")) {
      throw new IllegalArgumentException("validation metric must be rmse, mae, mrr or a ranking metric @" + k + ", got '" + metric + "'");
    }
  }

  @Override
  public String metric() {
    return metric;
  }

  @Override
  public boolean higherIsBetter() {
    return !(metric.equals("rmse") || metric.equals("mae"));
  }

  @Override
  public double evaluate(Recommender model) {
    Double value = Evaluator.evaluate(model, holdout, settings).get(metric);
    if (value == null) {
      throw new IllegalArgumentException("unknown validation metric '" + metric + "'");
    }
    return value;
  }
}
