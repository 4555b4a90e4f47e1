package io.perennial.model.mf;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionLog;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import io.perennial.optim.OptimizerConfig;
import java.util.Arrays;
import java.util.SplittableRandom;

/** A trained biased-MF model; {@code score} is a predicted rating. */
public final class MfModel extends FactorModel implements io.perennial.model.OnlineLearner {

  public static final String TYPE = "mf";
  private final MfConfig config;
  private final SplittableRandom growthRandom;

  MfModel(MfConfig config, UserHistory history, float[] popularity, int users, int items,
      float[] userFactors, float[] itemFactors, float[] userBias, float[] itemBias, float globalBias) {
    super(history, popularity, users, items, config.factors(), userFactors, itemFactors, userBias,
        itemBias, globalBias);
    this.config = config;
    this.growthRandom = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
  }

  @Override
  public String type() {
    return TYPE;
  }

  public MfConfig config() {
    return config;
  }

  /** Predicted rating, clamped to nothing: callers clamp to their scale if they need to. */
  @Override
  public float score(int user, int item) {
    return super.score(user, item);
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
    float err = r - pred;
    bu[bo] += lr * (err - config.biasRegularization() * bu[bo]);
    for (int d = 0; d < factors; d++) {
      p[po + d] += lr * (err * itemFactors[qo + d] - config.regularization() * p[po + d]);
    }
  }

  /** Grows the tables and takes {@code partialFitEpochs} SGD passes over the new ratings. */
  @Override
  public void partialFit(InteractionLog events, int users, int items) {
    partialFit(events, new InteractionLog(1), users, items);
  }

  @Override
  public void partialFit(InteractionLog events, InteractionLog replay, int users, int items) {
    growTables(Math.max(users, userCount), Math.max(items, itemCount), growthRandom, config.initScale());
    growHistory(events, userCount);
    growPopularity(events, itemCount);
    InteractionLog training = events.copy();
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
    growTables(Math.max(userCount, user + 1), Math.max(itemCount, item + 1), growthRandom, config.initScale());
    recordEvent(user, item, value);
    float lr = config.learningRate();
    float reg = config.regularization();
    float biasReg = config.biasRegularization();
    int po = user * factors;
    int qo = item * factors;
    for (int step = 0; step < config.onlineSteps(); step++) {
      float pred = globalBias + userBias[user] + itemBias[item]
          + io.perennial.kernel.VectorOps.dot(userFactors, po, itemFactors, qo, factors);
      float err = value - pred;
      userBias[user] += lr * (err - biasReg * userBias[user]);
      itemBias[item] += lr * (err - biasReg * itemBias[item]);
      for (int d = 0; d < factors; d++) {
        float p = userFactors[po + d];
        float q = itemFactors[qo + d];
        userFactors[po + d] += lr * (err * q - reg * p);
        itemFactors[qo + d] += lr * (err * p - reg * q);
      }
    }
    itemRowChanged(item);
  }

  void setGlobalBias(float mu) {
    this.globalBias = mu;
  }

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    saveCommon(s);
    return s;
  }

  public static MfModel restore(ModelState s) {
    MfConfig config = new ObjectMapper().convertValue(s.config(), MfConfig.class);
    int[] shape = shapeOf(s);
    check(shape[2] == config.factors(), "factors");
    return new MfModel(config, UserHistory.loadFrom(s, "history"), s.floats("popularity"),
        shape[0], shape[1], s.floats("user_factors"), s.floats("item_factors"),
        s.floats("user_bias"), s.floats("item_bias"), s.floats("global_bias")[0]);
  }
}
