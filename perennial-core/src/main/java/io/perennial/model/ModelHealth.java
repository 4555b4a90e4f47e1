package io.perennial.model;

import io.perennial.data.InteractionLog;
import java.util.Locale;
import java.util.Map;

/**
 * The one check a model must pass before it is written or goes live: every parameter finite,
 * every factor row's norm within a limit, and, when a holdout is at hand, finite scores on it and
 * (for rating models) an RMSE no worse than ten times that of predicting the holdout's mean. The
 * verdict carries a reason a person can act on.
 *
 * <p>The bars are far from any model that merely learned badly: they catch a model that diverged
 * (NaN or exploding parameters, predictions off the scale), not one that is weak.
 */
public final class ModelHealth {

  /**
   * Largest factor-row norm of a healthy model, the continual engine's divergence-guard default:
   * trained rows have norms of a few units, a diverged row grows by orders of magnitude per step.
   */
  public static final float DEFAULT_MAX_NORM = 1e3f;
  /** Holdout events scored at most; an even stride over the holdout picks them. */
  private static final int HOLDOUT_SAMPLE = 2_000;
  /** A rating model whose holdout RMSE exceeds this multiple of the mean predictor's is broken. */
  private static final double MAX_RMSE_RATIO = 10;

  private ModelHealth() {}

  /**
   * What the check found.
   *
   * @param healthy whether the model may be used
   * @param reason what was checked and the figures, or what is wrong
   */
  public record Verdict(boolean healthy, String reason) {}

  /** {@link #check(Recommender, float, InteractionLog)} with the default norm limit and no holdout. */
  public static Verdict check(Recommender model) {
    return check(model, DEFAULT_MAX_NORM, null);
  }

  /** {@link #check(Recommender, float, InteractionLog)} without a holdout. */
  public static Verdict check(Recommender model, float maxNorm) {
    return check(model, maxNorm, null);
  }

  /**
   * Checks {@code model}'s parameters and, when {@code holdout} has events, its scores on them.
   *
   * @param maxNorm largest allowed factor-row norm
   * @param holdout events to score (may be null or empty); events outside the model's tables are
   *     skipped
   */
  public static Verdict check(Recommender model, float maxNorm, InteractionLog holdout) {
    double[] largestNorm = {0};
    String problem = model instanceof FactorModel fm ? factorProblem(fm, maxNorm, largestNorm) : stateProblem(model.state());
    if (problem != null) {
      return new Verdict(false, model.type() + " model " + problem);
    }
    StringBuilder found = new StringBuilder(model.type()).append(" model: parameters finite");
    if (model instanceof FactorModel) {
      found.append(String.format(Locale.ROOT, ", largest row norm %.3g (limit %.3g)", largestNorm[0], (double) maxNorm));
    }
    if (holdout != null && holdout.size() > 0) {
      problem = holdoutProblem(model, holdout, found);
      if (problem != null) {
        return new Verdict(false, model.type() + " model " + problem);
      }
    }
    return new Verdict(true, found.toString());
  }

  private static String factorProblem(FactorModel m, float maxNorm, double[] largestNorm) {
    String p = tableProblem("user_factors", m.userFactors(), m.userCount(), m.factors(), maxNorm, largestNorm);
    if (p == null) {
      p = tableProblem("item_factors", m.itemFactors(), m.itemCount(), m.factors(), maxNorm, largestNorm);
    }
    if (p == null) {
      p = valuesProblem("user_bias", m.userBias(), m.userCount());
    }
    if (p == null) {
      p = valuesProblem("item_bias", m.itemBias(), m.itemCount());
    }
    if (p == null && !Float.isFinite(m.globalBias())) {
      p = "has a global bias of " + m.globalBias();
    }
    return p;
  }

  /** The first non-finite value or over-long row of a table; the largest row norm goes to {@code largest[0]}. */
  private static String tableProblem(String name, float[] table, int rows, int factors, float maxNorm,
      double[] largest) {
    for (int r = 0; r < rows; r++) {
      double squared = 0;
      for (int d = r * factors; d < (r + 1) * factors; d++) {
        if (!Float.isFinite(table[d])) {
          return "has " + table[d] + " in " + name + " row " + r + " (training diverged)";
        }
        squared += (double) table[d] * table[d];
      }
      if (squared > (double) maxNorm * maxNorm) {
        return String.format(Locale.ROOT, "has %s row %d with norm %.3g, above the limit %.3g (training diverged)",
            name, r, Math.sqrt(squared), (double) maxNorm);
      }
      largest[0] = Math.max(largest[0], Math.sqrt(squared));
    }
    return null;
  }

  private static String valuesProblem(String name, float[] values, int n) {
    if (values == null) {
      return null;
    }
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(values[i])) {
        return "has " + values[i] + " in " + name + " at " + i + " (training diverged)";
      }
    }
    return null;
  }

  private static String stateProblem(ModelState state) {
    for (Map.Entry<String, float[]> section : state.floats().entrySet()) {
      String p = valuesProblem(section.getKey(), section.getValue(), section.getValue().length);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  private static String holdoutProblem(Recommender model, InteractionLog holdout, StringBuilder found) {
    int stride = Math.max(1, holdout.size() / HOLDOUT_SAMPLE);
    int scored = 0;
    double sum = 0;
    double sumAbs = 0;
    double squaredError = 0;
    double[] values = new double[Math.min(holdout.size(), HOLDOUT_SAMPLE + 1)];
    for (int e = 0; e < holdout.size() && scored < values.length; e += stride) {
      int u = holdout.user(e);
      int i = holdout.item(e);
      if (u >= model.userCount() || i >= model.itemCount()) {
        continue;
      }
      float s = model.score(u, i);
      if (!Float.isFinite(s)) {
        return "scores " + s + " for user " + u + ", item " + i + " of the holdout (training diverged)";
      }
      double v = holdout.value(e);
      values[scored++] = v;
      sum += v;
      sumAbs += Math.abs(v);
      squaredError += (s - v) * (s - v);
    }
    found.append(", finite scores on ").append(scored).append(" holdout events");
    if (scored == 0 || !Algorithms.isExplicit(model.type())) {
      return null;
    }
    double mean = sum / scored;
    double meanSquared = 0;
    for (int e = 0; e < scored; e++) {
      meanSquared += (values[e] - mean) * (values[e] - mean);
    }
    // a holdout of (nearly) equal values has a mean-predictor RMSE of ~0, which no model beats
    double baseline = Math.max(Math.sqrt(meanSquared / scored), 0.1 * sumAbs / scored);
    double rmse = Math.sqrt(squaredError / scored);
    double limit = MAX_RMSE_RATIO * baseline;
    if (!(rmse <= limit)) {
      return String.format(Locale.ROOT,
          "has a holdout RMSE of %.4g on %d events, more than %.0f× the %.4g of predicting their mean (predictions off the rating scale)",
          rmse, scored, MAX_RMSE_RATIO, baseline);
    }
    found.append(String.format(Locale.ROOT, ", holdout RMSE %.4g (limit %.4g)", rmse, limit));
    return null;
  }
}
