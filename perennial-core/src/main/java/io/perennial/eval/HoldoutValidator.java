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
  private final InteractionLog known;

  /**
   * @param metric {@code rmse}, {@code mae}, or a ranking metric at the settings' K, e.g. {@code
   *     ndcg@10}, {@code recall@10}, {@code hr@10}
   */
  public HoldoutValidator(InteractionLog holdout, String metric, int k) {
    this(holdout, metric, EvalSettings.ranking(k), null);
  }

  /**
   * A validator ranking as {@code settings} say (e.g. against the same sampled candidates as the
   * test), without AUC.
   *
   * @param known what the users are known to have interacted with when validating (training plus
   *     the holdout), which sampled candidates avoid; {@code null}: the model's training history
   */
  public HoldoutValidator(InteractionLog holdout, String metric, EvalSettings settings, InteractionLog known) {
    this.holdout = holdout;
    this.metric = metric;
    this.known = known;
    int k = settings.k();
    boolean rating = metric.equals("rmse") || metric.equals("mae");
    this.settings = settings.withAuc(false).withRatingMetrics(rating);
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
    Double value = Evaluator.evaluate(model, holdout, settings, known).get(metric);
    if (value == null) {
      throw new IllegalArgumentException("unknown validation metric '" + metric + "'");
    }
    return value;
  }
}
