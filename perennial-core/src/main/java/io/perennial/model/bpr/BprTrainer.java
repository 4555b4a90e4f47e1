package io.perennial.model.bpr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.EpochLoop;
import io.perennial.model.FactorModel;
import io.perennial.model.MemoryBudget;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;
import io.perennial.optim.LearningRateSchedule;
import io.perennial.optim.Optimizer;
import io.perennial.optim.OptimizerConfig;
import io.perennial.optim.OptimizerKind;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Samples (user, positive, negative) triples and takes an SGD step on each. With {@code threads >
 * 1} the workers update the shared tables without locks (Hogwild); with one thread the result is
 * reproducible from the seed.
 */
public final class BprTrainer implements Trainer {

  private final BprConfig config;

  public BprTrainer(BprConfig config) {
    this.config = config;
  }

  @Override
  public String type() {
    return BprModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return new ObjectMapper().valueToTree(config);
  }

  @Override
  public long estimatedBytes(int users, int items, long interactions) {
    return MemoryBudget.factorTables(users, items, config.factors(), config.optimizer());
  }

  @Override
  public BprModel fit(Dataset train, TrainingOptions options) {
    MemoryBudget.check(this, train);
    SplittableRandom random = new SplittableRandom(config.seed());
    int users = train.userCount();
    int items = train.itemCount();
    int k = config.factors();
    UserHistory history = UserHistory.of(train.byUser());
    float[] popularity = AbstractRecommender.countItems(train.log(), items);
    BprModel model = new BprModel(config, history, popularity, users, items,
        FactorModel.randomTable(users, k, random, config.initScale()),
        FactorModel.randomTable(items, k, random, config.initScale()), new float[items]);
    // Positives come from the deduplicated history so a repeated event is not over-sampled.
    int nnz = (int) history.size();
    int[] posUsers = new int[nnz];
    int[] posItems = new int[nnz];
    int p = 0;
    for (int u = 0; u < users; u++) {
      for (int i : history.items(u)) {
        posUsers[p] = u;
        posItems[p++] = i;
      }
    }
    AliasSampler negatives = null;
    if (config.negativeSampling() == NegativeSampling.POPULARITY && items > 0) {
      double[] w = new double[items];
      for (int i = 0; i < items; i++) {
        w[i] = Math.pow(popularity[i] + 1, config.popularityExponent());
      }
      negatives = new AliasSampler(w);
    }
    Optimizer userOpt = null;
    Optimizer itemOpt = null;
    if (config.optimizer() != OptimizerKind.SGD) {
      OptimizerConfig oc = OptimizerConfig.sgd(config.learningRate()).withKind(config.optimizer());
      userOpt = new Optimizer(oc, users, k);
      itemOpt = new Optimizer(oc, items, k);
    }
    long samples = (long) Math.ceil(config.samplesPerEpoch() * nnz);
    AliasSampler negativeSampler = negatives;
    Optimizer uo = userOpt;
    Optimizer io = itemOpt;
    SplittableRandom[] workers = new SplittableRandom[config.threads()];
    for (int w = 0; w < workers.length; w++) {
      workers[w] = random.split();
    }
    ExecutorService pool = config.threads() > 1 ? Executors.newFixedThreadPool(config.threads()) : null;
    try {
      LearningRateSchedule schedule = new LearningRateSchedule.StepDecay(1, config.learningRateDecay());
      EpochLoop.run(type(), model, config.epochs(), samples, options,
          epoch -> {
            float lr = schedule.rate(config.learningRate(), epoch);
            double loss = runEpoch(model, posUsers, posItems, samples, lr, negativeSampler, workers, pool, uo, io);
            model.invalidateCaches();
            return loss;
          },
          () -> new float[][] {model.userFactors().clone(), model.itemFactors().clone(), model.itemBias().clone()},
          s -> {
            System.arraycopy(s[0], 0, model.userFactors(), 0, s[0].length);
            System.arraycopy(s[1], 0, model.itemFactors(), 0, s[1].length);
            System.arraycopy(s[2], 0, model.itemBias(), 0, s[2].length);
            model.invalidateCaches();
          });
    } finally {
      if (pool != null) {
        pool.shutdown();
      }
    }
    return model;
  }

  private static double runEpoch(BprModel model, int[] posUsers, int[] posItems, long samples,
      float lr, AliasSampler negatives, SplittableRandom[] workers, ExecutorService pool,
      Optimizer userOpt, Optimizer itemOpt) {
    java.util.BitSet dropped = dropout(posUsers.length, model.config().historyDropout(), workers[0]);
    if (pool == null) {
      return sampledEpoch(model, posUsers, posItems, samples, lr, negatives, workers[0], userOpt, itemOpt, dropped);
    }
    long share = samples / workers.length;
    try {
      Future<?>[] futures = new Future<?>[workers.length];
      double[] losses = new double[workers.length];
      for (int w = 0; w < workers.length; w++) {
        int id = w;
        futures[w] = pool.submit(() -> {
          losses[id] = sampledEpoch(model, posUsers, posItems, share, lr, negatives, workers[id], userOpt, itemOpt,
              dropped);
        });
      }
      double sum = 0;
      for (int w = 0; w < workers.length; w++) {
        futures[w].get();
        sum += losses[w];
      }
      return sum / workers.length;
    } catch (Exception e) {
      throw new IllegalStateException("BPR worker failed", e);
    }
  }

  /**
   * {@code samples} SGD steps on triples: a uniform positive (u, i), a negative j not in u's
   * history; ascend {@code ln σ(x_uij) - λ‖θ‖²} with {@code x_uij = b_i - b_j + p_u · (q_i - q_j)}.
   *
   * @return mean {@code -ln σ(x_uij)} over the steps
   */
  static double sampledEpoch(BprModel m, int[] posUsers, int[] posItems, long samples, float lr,
      AliasSampler negatives, SplittableRandom random, Optimizer userOpt, Optimizer itemOpt) {
    return sampledEpoch(m, posUsers, posItems, samples, lr, negatives, random, userOpt, itemOpt, null);
  }

  /** As the other, skipping the training pairs in {@code dropped} (history dropout; null = none). */
  static double sampledEpoch(BprModel m, int[] posUsers, int[] posItems, long samples, float lr,
      AliasSampler negatives, SplittableRandom random, Optimizer userOpt, Optimizer itemOpt,
      java.util.BitSet dropped) {
    int k = m.factors();
    int items = m.itemCount();
    int n = posUsers.length;
    if (n == 0 || items < 2) {
      return 0;
    }
    float[] p = m.userFactors();
    float[] q = m.itemFactors();
    float[] b = m.itemBias();
    UserHistory history = m.history();
    float reg = m.config().regularization();
    float biasReg = m.config().biasRegularization();
    float[] grad = new float[3 * k];
    double loss = 0;
    for (long s = 0; s < samples; s++) {
      int e = random.nextInt(n);
      if (dropped != null && dropped.get(e)) {
        continue;
      }
      int u = posUsers[e];
      int i = posItems[e];
      int j;
      int tries = 0;
      do {
        j = drawNegative(m, u, posItems, negatives, random);
      } while (history.contains(u, j) && ++tries < 16);
      if (j == i) {
        continue;
      }
      int po = u * k;
      int io = i * k;
      int jo = j * k;
      float x = BprModel.preference(p, po, q, b, i, j, k);
      // d/dx ln σ(x) = σ(-x)
      float g = (float) (1 / (1 + Math.exp(x)));
      loss += Math.log1p(Math.exp(-x));
      b[i] += lr * (g - biasReg * b[i]);
      b[j] += lr * (-g - biasReg * b[j]);
      if (userOpt == null) {
        for (int d = 0; d < k; d++) {
          float pu = p[po + d];
          float qi = q[io + d];
          float qj = q[jo + d];
          p[po + d] += lr * (g * (qi - qj) - reg * pu);
          q[io + d] += lr * (g * pu - reg * qi);
          q[jo + d] += lr * (-g * pu - reg * qj);
        }
      } else {
        // Loss gradients (descent direction) for the optimiser.
        for (int d = 0; d < k; d++) {
          grad[d] = -g * (q[io + d] - q[jo + d]) + reg * p[po + d];
          grad[k + d] = -g * p[po + d] + reg * q[io + d];
          grad[2 * k + d] = g * p[po + d] + reg * q[jo + d];
        }
        userOpt.updateRow(p, u, grad, 0, lr);
        itemOpt.updateRow(q, i, grad, k, lr);
        itemOpt.updateRow(q, j, grad, 2 * k, lr);
      }
    }
    return loss / Math.max(1, samples);
  }

  /** One negative for {@code user} by the config's {@link NegativeSampling}. */
  static int drawNegative(BprModel m, int user, int[] posItems, AliasSampler popularity, SplittableRandom random) {
    int items = m.itemCount();
    switch (m.config().negativeSampling()) {
      case POPULARITY:
        return popularity != null ? popularity.sample(random) : random.nextInt(items);
      case IN_BATCH:
        return posItems[random.nextInt(posItems.length)];
      case HARD:
        return hardest(m, user, m.config().hardCandidates(), random);
      default:
        return random.nextInt(items);
    }
  }

  /** Of {@code candidates} uniform items, the one the model now scores highest for {@code user}. */
  static int hardest(BprModel m, int user, int candidates, SplittableRandom random) {
    int items = m.itemCount();
    int k = m.factors();
    float[] p = m.userFactors();
    float[] q = m.itemFactors();
    float[] b = m.itemBias();
    int best = random.nextInt(items);
    float bestScore = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < candidates; c++) {
      int j = c == 0 ? best : random.nextInt(items);
      float s = b[j];
      for (int d = 0; d < k; d++) {
        s += p[user * k + d] * q[j * k + d];
      }
      if (s > bestScore) {
        bestScore = s;
        best = j;
      }
    }
    return best;
  }

  /** The training pairs one epoch leaves out: each with probability {@code rate}, from {@code random}. */
  static java.util.BitSet dropout(int pairs, float rate, SplittableRandom random) {
    if (rate <= 0) {
      return null;
    }
    java.util.BitSet dropped = new java.util.BitSet(pairs);
    for (int e = 0; e < pairs; e++) {
      if (random.nextDouble() < rate) {
        dropped.set(e);
      }
    }
    return dropped;
  }
}
