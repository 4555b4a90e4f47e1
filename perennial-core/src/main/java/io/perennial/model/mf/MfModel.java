package io.perennial.model.mf;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionLog;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.Update;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import io.perennial.optim.OptimizerConfig;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A trained biased-MF model; {@code score} is a predicted rating, clipped to the range of the
 * ratings it learned from.
 *
 * <p>Every SGD step (training, {@code partialFit}, {@code learnOnline}, fold-in) works in
 * standardised units {@code z = (r − μ) / σ}, with μ and σ the centre and spread of the training
 * ratings ({@link RatingScale}), and clips the residual to ±{@value #RESIDUAL_CLIP_SPREADS} σ (a
 * Huber loss). Standardising makes the learning rate and penalties mean the same on a 1–5 and a
 * 0–100 scale, where raw SGD steps of {@code lr · err · q} with errors of 50 made the factors
 * explode; the clip bounds the step one wild rating can take. The tables are kept in rating units
 * (biases × σ, factors × √σ), which turns the z-space step into the raw step with the factors' data
 * term divided by σ: {@code score = μ + b_u + b_i + p_u · q_i} needs no mapping back, so ranking,
 * search and export read the tables as they are. On MovieLens σ ≈ 1 and no residual reaches the
 * clip, so the model is the classic one.
 */
public final class MfModel extends FactorModel implements io.perennial.model.OnlineLearner,
    io.perennial.model.DifferentiallyPrivate {

  public static final String TYPE = "mf";
  /** Residuals beyond this many spreads are clipped: no 0.5–5 rating comes near, an outlier does. */
  static final float RESIDUAL_CLIP_SPREADS = 5f;
  private final MfConfig config;
  private final SplittableRandom growthRandom;
  /** σ of the ratings the model standardises by; fixed at training, kept by every later update. */
  private final float spread;
  /** Smallest and largest rating learned (training and later updates): the clip of {@code score}. */
  private float minRating;
  private float maxRating;

  MfModel(MfConfig config, UserHistory history, float[] popularity, int users, int items,
      float[] userFactors, float[] itemFactors, float[] userBias, float[] itemBias, RatingScale scale) {
    this(config, config.factors(), history, popularity, users, items, userFactors, itemFactors, userBias, itemBias,
        scale);
  }

  /** A model whose tables have {@code factors} dimensions, fewer than the config's while progressive training widens them. */
  MfModel(MfConfig config, int factors, UserHistory history, float[] popularity, int users, int items,
      float[] userFactors, float[] itemFactors, float[] userBias, float[] itemBias, RatingScale scale) {
    super(history, popularity, users, items, factors, userFactors, itemFactors, userBias,
        itemBias, scale.centre());
    this.config = config;
    this.growthRandom = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
    this.spread = scale.spread();
    this.minRating = scale.min();
    this.maxRating = scale.max();
  }

  @Override
  public String type() {
    return TYPE;
  }

  public MfConfig config() {
    return config;
  }

  /** Progressive training: appends dimensions, zero for users and {@code itemScale · N(0, 1)} for items. */
  void widen(int newFactors, float itemScale, SplittableRandom random) {
    widenFactors(newFactors, 0f, itemScale, random);
  }

  /** Puts back a snapshot's tables (padded with zeros when it predates a widening). */
  void restoreTables(int tableFactors, float[] users, float[] items) {
    restoreFactorTables(tableFactors, users, items);
  }

  /** The unclipped prediction {@code μ + b_u + b_i + p_u · q_i} in rating units (training's residuals use it). */
  float rawPrediction(int user, int item) {
    return globalBias + userBias[user] + itemBias[item]
        + io.perennial.kernel.VectorOps.dot(userFactors, user * factors, itemFactors, item * factors, factors);
  }

  /** The DP-SGD guarantee of the training, or null; it covers the tables and biases (see BprModel). */
  private io.perennial.privacy.PrivacyReport privacy;

  @Override
  public io.perennial.privacy.PrivacyReport privacy() {
    return privacy;
  }

  void setPrivacy(io.perennial.privacy.PrivacyReport report) {
    this.privacy = report;
  }

  /**
   * Predicted rating, clipped to the smallest and largest rating learned. Rankings
   * ({@code recommend}, {@code scoreItems}) use the unclipped value, so items predicted above the
   * top of the scale keep their order instead of tying.
   */
  @Override
  public float score(int user, int item) {
    float s = super.score(user, item);
    // NaN passes through (Math.max/min keep it): a broken model must not look like a rating
    return minRating <= maxRating ? Math.min(maxRating, Math.max(minRating, s)) : s;
  }

  /** {@code {min, max}} of the ratings learned, the range {@code score} is clipped to. */
  public float[] ratingRange() {
    return new float[] {minRating, maxRating};
  }

  /** The spread σ the model standardises ratings by (see the class documentation). */
  public float ratingSpread() {
    return spread;
  }

  /** The residual {@code value − prediction} in rating units, clipped to ±{@value #RESIDUAL_CLIP_SPREADS} σ. */
  float residual(float value, float prediction) {
    float limit = RESIDUAL_CLIP_SPREADS * spread;
    float err = value - prediction;
    return err > limit ? limit : err < -limit ? -limit : err;
  }

  /** New rows start as the z-space initialisation does: {@code initScale} × √σ in rating units. */
  float initScale() {
    return initScale(config, spread);
  }

  static float initScale(MfConfig config, float spread) {
    return (float) (config.initScale() * Math.sqrt(spread));
  }

  private void widenRange(float value) {
    minRating = Math.min(minRating, value);
    maxRating = Math.max(maxRating, value);
  }

  /**
   * A few SGD passes over the user's ratings with the item side fixed: minimises {@code Σ (r_ui - μ
   * - b_i - b_u - p·q_i)² + λ‖p‖² + λ_b b_u²}.
   */
  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    float[] p = new float[factors];
    float[] bu = {0f};
    float lr = config.learningRate();
    for (int step = 0; step < config.foldInSteps(); step++) {
      for (int k = 0; k < items.length; k++) {
        int i = items[k];
        if (i < 0 || i >= itemCount) {
          continue;
        }
        sgdUserStep(p, 0, bu, 0, i, values[k], lr);
      }
    }
    int[] sorted = items.clone();
    Arrays.sort(sorted);
    return new UserQuery(sorted, values.clone(), p, bu[0]);
  }

  private void sgdUserStep(float[] p, int po, float[] bu, int bo, int i, float r, float lr) {
    int qo = i * factors;
    float pred = globalBias + bu[bo] + itemBias[i];
    for (int d = 0; d < factors; d++) {
      pred += p[po + d] * itemFactors[qo + d];
    }
    float err = residual(r, pred);
    float factorErr = err / spread;
    bu[bo] += lr * (err - config.biasRegularization() * bu[bo]);
    for (int d = 0; d < factors; d++) {
      p[po + d] += lr * (factorErr * itemFactors[qo + d] - config.regularization() * p[po + d]);
    }
  }

  /**
   * Grows the tables and takes {@code partialFitEpochs} SGD passes over the new ratings and the
   * replayed ones; stability and the teacher do not apply (MF fine-tunes with replay only).
   */
  @Override
  public void partialFit(Update update) {
    InteractionLog events = update.events();
    InteractionLog replay = update.replay();
    int users = update.users();
    int items = update.items();
    growTables(Math.max(users, userCount), Math.max(items, itemCount), growthRandom, initScale());
    growHistory(events, userCount);
    growPopularity(events, itemCount);
    InteractionLog training = events.copy();
    for (int e = 0; e < events.size(); e++) {
      widenRange(events.value(e));
    }
    for (int e = 0; e < replay.size(); e++) {
      training.add(replay.get(e));
    }
    MfTrainer.sgdEpochs(this, training, config, config.partialFitEpochs(),
        OptimizerConfig.sgd(config.learningRate()), growthRandom);
    invalidateCaches();
  }

  /** {@code onlineSteps} SGD steps on this rating for the user's and the item's rows and biases. */
  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    growTables(Math.max(userCount, user + 1), Math.max(itemCount, item + 1), growthRandom, initScale());
    recordEvent(user, item, value);
    widenRange(value);
    float lr = config.learningRate();
    float reg = config.regularization();
    float biasReg = config.biasRegularization();
    int po = user * factors;
    int qo = item * factors;
    for (int step = 0; step < config.onlineSteps(); step++) {
      float pred = globalBias + userBias[user] + itemBias[item]
          + io.perennial.kernel.VectorOps.dot(userFactors, po, itemFactors, qo, factors);
      float err = residual(value, pred);
      float factorErr = err / spread;
      userBias[user] += lr * (err - biasReg * userBias[user]);
      itemBias[item] += lr * (err - biasReg * itemBias[item]);
      for (int d = 0; d < factors; d++) {
        float p = userFactors[po + d];
        float q = itemFactors[qo + d];
        userFactors[po + d] += lr * (factorErr * q - reg * p);
        itemFactors[qo + d] += lr * (factorErr * p - reg * q);
      }
    }
    itemRowChanged(item);
    userRowChanged(user);
  }

  /**
   * Approximate unlearning: {@code partialFitEpochs} SGD passes over the remaining ratings of each
   * shared item, moving only the item's row and bias (the other users' rows stay fixed), so the
   * item is refitted toward its optimum without the forgotten user; a retrain makes it exact.
   */
  @Override
  protected io.perennial.model.Unlearning refitSharedItems(int[] items) {
    ItemRaters byItem = itemUsers(items);
    float lr = config.learningRate();
    for (int epoch = 0; epoch < config.partialFitEpochs(); epoch++) {
      for (int n = 0; n < items.length; n++) {
        int[] users = byItem.users()[n];
        float[] values = byItem.values()[n];
        for (int m = 0; m < users.length; m++) {
          itemOnlyStep(users[m], items[n], values[m], lr);
        }
      }
    }
    for (int item : items) {
      itemRowChanged(item);
    }
    return new io.perennial.model.Unlearning(io.perennial.model.Unlearning.Guarantee.APPROXIMATE, items.length,
        items.length, 0, items.length + " shared items refitted by " + config.partialFitEpochs()
            + " SGD passes over the other users' ratings (approximate until a retrain)");
  }

  private void itemOnlyStep(int user, int item, float value, float lr) {
    int po = user * factors;
    int qo = item * factors;
    float pred = globalBias + userBias[user] + itemBias[item]
        + io.perennial.kernel.VectorOps.dot(userFactors, po, itemFactors, qo, factors);
    float err = residual(value, pred);
    float factorErr = err / spread;
    itemBias[item] += lr * (err - config.biasRegularization() * itemBias[item]);
    for (int d = 0; d < factors; d++) {
      itemFactors[qo + d] += lr * (factorErr * userFactors[po + d] - config.regularization() * itemFactors[qo + d]);
    }
  }

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    saveCommon(s);
    s.put("rating_spread", new float[] {spread}).put("rating_range", new float[] {minRating, maxRating});
    if (privacy != null) {
      s.put("dp_report", privacy.toArray());
    }
    return s;
  }

  /**
   * Rebuilds a model from its state. Checkpoints written before ratings were standardised have no
   * spread or range: they learn on with σ = 1 (the raw steps they were trained with) and no clip.
   */
  public static MfModel restore(ModelState s) {
    MfConfig config = new ObjectMapper().convertValue(s.config(), MfConfig.class);
    int[] shape = shapeOf(s);
    check(shape[2] == config.factors(), "factors");
    float[] spread = s.floats().getOrDefault("rating_spread", new float[] {1f});
    float[] range = s.floats().getOrDefault("rating_range", new float[] {RatingScale.NONE.min(), RatingScale.NONE.max()});
    check(spread.length == 1 && spread[0] > 0 && range.length == 2, "rating scale");
    MfModel m = new MfModel(config, UserHistory.loadFrom(s, "history"), s.floats("popularity"),
        shape[0], shape[1], s.floats("user_factors"), s.floats("item_factors"),
        s.floats("user_bias"), s.floats("item_bias"),
        new RatingScale(s.floats("global_bias")[0], spread[0], range[0], range[1]));
    float[] report = s.floats().get("dp_report");
    if (report != null) {
      m.privacy = io.perennial.privacy.PrivacyReport.fromArray(report);
    }
    return m;
  }
}
