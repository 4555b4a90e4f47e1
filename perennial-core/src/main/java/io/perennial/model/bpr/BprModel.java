package io.perennial.model.bpr;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionLog;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import java.util.Arrays;
import java.util.SplittableRandom;

/** A trained BPR-MF model: {@code score(u, i) = b_i + p_u · q_i} (a ranking score, not a rating). */
public final class BprModel extends FactorModel implements io.perennial.model.OnlineLearner {

  public static final String TYPE = "bpr";
  private final BprConfig config;
  private final SplittableRandom growthRandom;

  BprModel(BprConfig config, UserHistory history, float[] popularity, int users, int items,
      float[] userFactors, float[] itemFactors, float[] itemBias) {
    super(history, popularity, users, items, config.factors(), userFactors, itemFactors, null,
        itemBias, 0f);
    this.config = config;
    this.growthRandom = new SplittableRandom(config.seed() ^ 0x9E3779B97F4A7C15L);
  }

  @Override
  public String type() {
    return TYPE;
  }

  public BprConfig config() {
    return config;
  }

  /**
   * SGD on the user's vector alone: for each known item, {@code foldInSteps} sampled negatives,
   * seeded from the items so the same history gives the same vector.
   */
  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    int[] sorted = items.clone();
    Arrays.sort(sorted);
    float[] p = new float[factors];
    SplittableRandom random = new SplittableRandom(Arrays.hashCode(sorted) ^ config.seed());
    for (int d = 0; d < factors; d++) {
      p[d] = (float) (random.nextGaussian() * config.initScale());
    }
    float lr = config.learningRate();
    for (int step = 0; step < config.foldInSteps(); step++) {
      for (int i : sorted) {
        if (i < 0 || i >= itemCount) {
          continue;
        }
        int j = random.nextInt(itemCount);
        if (Arrays.binarySearch(sorted, j) >= 0) {
          continue;
        }
        float x = itemBias[i] - itemBias[j];
        for (int d = 0; d < factors; d++) {
          x += p[d] * (itemFactors[i * factors + d] - itemFactors[j * factors + d]);
        }
        float g = (float) (1 / (1 + Math.exp(x)));
        for (int d = 0; d < factors; d++) {
          p[d] += lr * (g * (itemFactors[i * factors + d] - itemFactors[j * factors + d])
              - config.regularization() * p[d]);
        }
      }
    }
    float[] vals = new float[sorted.length];
    Arrays.fill(vals, 1f);
    return new UserQuery(sorted, vals, p, 0);
  }

  /** Grows the tables and runs {@code partialFitEpochs} passes of triples drawn from the new events. */
  @Override
  public void partialFit(InteractionLog events, int users, int items) {
    partialFit(events, new InteractionLog(1), users, items);
  }

  @Override
  public void partialFit(InteractionLog events, InteractionLog replay, int users, int items) {
    growTables(Math.max(users, userCount), Math.max(items, itemCount), growthRandom, config.initScale());
    growHistory(events, userCount);
    growPopularity(events, itemCount);
    int n = events.size() + replay.size();
    int[] posUsers = new int[n];
    int[] posItems = new int[n];
    for (int e = 0; e < n; e++) {
      InteractionLog source = e < events.size() ? events : replay;
      int at = e < events.size() ? e : e - events.size();
      posUsers[e] = source.user(at);
      posItems[e] = source.item(at);
    }
    for (int epoch = 0; epoch < config.partialFitEpochs(); epoch++) {
      BprTrainer.sampledEpoch(this, posUsers, posItems, n, config.learningRate(),
          null, growthRandom, null, null);
    }
    invalidateCaches();
  }

  /**
   * {@code onlineSteps} SGD steps on (user, item, sampled negative), then {@code onlineReplay}
   * steps on the user's earlier positives.
   */
  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    growTables(Math.max(userCount, user + 1), Math.max(itemCount, item + 1), growthRandom, config.initScale());
    recordEvent(user, item, value);
    float lr = config.learningRate();
    for (int s = 0; s < config.onlineSteps(); s++) {
      step(user, item, lr);
    }
    int[] past = history.items(user);
    for (int s = 0; s < config.onlineReplay() && past.length > 1; s++) {
      step(user, past[growthRandom.nextInt(past.length)], lr);
    }
  }

  /** One BPR step on (user, positive, a sampled negative not in the user's history). */
  private void step(int user, int positive, float lr) {
    int negative;
    int tries = 0;
    do {
      negative = growthRandom.nextInt(itemCount);
    } while (history.contains(user, negative) && ++tries < 16);
    if (negative == positive) {
      return;
    }
    int po = user * factors;
    int io = positive * factors;
    int jo = negative * factors;
    float reg = config.regularization();
    float biasReg = config.biasRegularization();
    float x = itemBias[positive] - itemBias[negative];
    for (int d = 0; d < factors; d++) {
      x += userFactors[po + d] * (itemFactors[io + d] - itemFactors[jo + d]);
    }
    float g = (float) (1 / (1 + Math.exp(x)));
    itemBias[positive] += lr * (g - biasReg * itemBias[positive]);
    itemBias[negative] += lr * (-g - biasReg * itemBias[negative]);
    for (int d = 0; d < factors; d++) {
      float pu = userFactors[po + d];
      float qi = itemFactors[io + d];
      float qj = itemFactors[jo + d];
      userFactors[po + d] += lr * (g * (qi - qj) - reg * pu);
      itemFactors[io + d] += lr * (g * pu - reg * qi);
      itemFactors[jo + d] += lr * (-g * pu - reg * qj);
    }
    itemRowChanged(positive);
    itemRowChanged(negative);
  }

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    saveCommon(s);
    return s;
  }

  public static BprModel restore(ModelState s) {
    BprConfig config = new ObjectMapper().convertValue(s.config(), BprConfig.class);
    int[] shape = shapeOf(s);
    check(shape[2] == config.factors(), "factors");
    return new BprModel(config, UserHistory.loadFrom(s, "history"), s.floats("popularity"),
        shape[0], shape[1], s.floats("user_factors"), s.floats("item_factors"), s.floats("item_bias"));
  }
}
