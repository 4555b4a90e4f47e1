package io.perennial.model.mf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.EpochLoop;
import io.perennial.model.FactorModel;
import io.perennial.model.MemoryBudget;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;
import io.perennial.optim.Optimizer;
import io.perennial.optim.OptimizerConfig;
import io.perennial.model.curriculum.Curriculum;
import io.perennial.model.curriculum.DifficultyScorer;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

/**
 * SGD over the ratings in a seeded random order each epoch, in the standardised units described at
 * {@link MfModel}: the centre and spread come from the training ratings ({@link RatingScale}).
 * Single-threaded, so the same seed and data give the same model.
 */
public final class MfTrainer implements Trainer, io.perennial.model.transfer.WarmStartable {

  private final MfConfig config;

  public MfTrainer(MfConfig config) {
    this.config = config;
  }

  @Override
  public String type() {
    return MfModel.TYPE;
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
  public MfModel fit(Dataset train, TrainingOptions options) {
    return fit(train, options, null);
  }

  /** Every fine-tune but the prior (iALS's form): freezing and the learning-rate ratio act per epoch ({@link io.perennial.model.transfer.TransferredRows}). */
  @Override
  public boolean supports(io.perennial.model.transfer.FineTune.Mode mode) {
    return mode != io.perennial.model.transfer.FineTune.Mode.PRIOR && mode != io.perennial.model.transfer.FineTune.Mode.FREEZE_LAYERS;
  }

  /**
   * Trains from {@code start}'s rows (random ones elsewhere, as without it; biases start at zero),
   * the transferred item rows frozen or slowed as its fine-tune says. Not with progressive widening
   * or DP-SGD (the warm start fixes the width, and DP-SGD's accounting assumes a data-independent
   * start). With {@code start} null this is {@link #fit(Dataset, TrainingOptions)}.
   */
  @Override
  public MfModel fit(Dataset train, TrainingOptions options, io.perennial.model.transfer.WarmStart start) {
    if (start != null && (config.progressive() != null || config.dp() != null)) {
      throw new IllegalArgumentException("a pretrained start cannot be combined with "
          + (config.dp() != null ? "DP-SGD (dp)" : "progressive widening (progressive)"));
    }
    if (start != null && start.factors() != config.factors()) {
      throw new IllegalArgumentException("the warm start has " + start.factors() + " factors, the config " + config.factors());
    }
    MemoryBudget.check(this, train);
    SplittableRandom random = new SplittableRandom(config.seed());
    int users = train.userCount();
    int items = train.itemCount();
    io.perennial.model.progressive.ProgressiveConfig progressive = config.progressive();
    int k = progressive == null ? config.factors() : progressive.initialFactors();
    InteractionLog log = train.log();
    // DP-SGD may not look at the data's mean and spread: it uses the public scale
    RatingScale scale = config.dp() != null ? DpMfTraining.publicScale(config.dp()) : RatingScale.of(log);
    float initScale = MfModel.initScale(config, scale.spread());
    MfModel model = new MfModel(config, k, UserHistory.of(train.byUser()),
        AbstractRecommender.countItems(log, items), users, items,
        FactorModel.randomTable(users, k, random, initScale),
        FactorModel.randomTable(items, k, random, initScale),
        new float[users], new float[items], scale);
    io.perennial.model.transfer.TransferredRows transferred = null;
    if (start != null) {
      start.applyTo(model.userFactors(), users, model.itemFactors(), items);
      transferred = new io.perennial.model.transfer.TransferredRows(start, items, k);
    }
    io.perennial.model.transfer.TransferredRows fineTuned = transferred;
    if (config.dp() != null) {
      model.setPrivacy(DpMfTraining.train(model, log, options, random));
      return model;
    }
    OptimizerConfig optimizer = OptimizerConfig.sgd(config.learningRate())
        .withKind(config.optimizer())
        .withSchedule(config.schedule());
    // [0] user, [1] item optimiser; rebuilt at the new width when progressive training widens
    Optimizer[] optimizers = {new Optimizer(optimizer, users, k), new Optimizer(optimizer, items, k)};
    int[] all = identity(log.size());
    Curriculum curriculum = null;
    IntToDoubleFunction teacherDifficulty = null;
    if (config.curriculum() != null) {
      int[] us = new int[log.size()];
      int[] is = new int[log.size()];
      for (int e = 0; e < us.length; e++) {
        us[e] = log.user(e);
        is[e] = log.item(e);
      }
      curriculum = new Curriculum(config.curriculum(), us, is, users, items, config.seed());
      if (curriculum.scorer() == DifficultyScorer.TEACHER) {
        // the teacher: this very model trained without the curriculum (or stages) first
        MfModel teacher = new MfTrainer(config.plain()).fit(train, TrainingOptions.silent());
        teacherDifficulty = squaredError(teacher, log);
      }
    }
    Curriculum paced = curriculum;
    IntToDoubleFunction teacherScores = teacherDifficulty;
    SplittableRandom widening = new SplittableRandom(config.seed() ^ 0x3C6EF372FE94F82AL);
    EpochLoop.run(type(), model, config.epochs(), log.size(), options,
        epoch -> {
          if (progressive != null) {
            int width = progressive.factorsAt(epoch, config.factors());
            if (width > model.factors()) {
              model.widen(width, progressive.newScale(), widening);
              // per-dimension optimiser state restarts at the new width; the schedule keeps its step
              optimizers[0] = new Optimizer(optimizer, users, width);
              optimizers[1] = new Optimizer(optimizer, items, width);
              for (int e = 0; e < epoch; e++) {
                optimizers[0].advance();
                optimizers[1].advance();
              }
            }
          }
          int[] order = all;
          if (paced != null) {
            order = paced.examples(epoch,
                paced.scorer() == DifficultyScorer.SELF_PACED ? squaredError(model, log) : teacherScores);
          }
          shuffle(order, random);
          if (fineTuned != null) {
            fineTuned.beforeEpoch(model.itemFactors(), epoch);
          }
          double loss = epoch(model, log, order, optimizers[0], optimizers[1], new float[2 * model.factors()]);
          if (fineTuned != null) {
            fineTuned.afterEpoch(model.itemFactors(), epoch);
          }
          optimizers[0].advance();
          optimizers[1].advance();
          model.invalidateCaches();
          return loss;
        },
        () -> new Snapshot(model.factors(), model.userFactors().clone(), model.itemFactors().clone(),
            model.userBias().clone(), model.itemBias().clone()),
        s -> {
          model.restoreTables(s.factors(), s.users(), s.items());
          System.arraycopy(s.userBias(), 0, model.userBias(), 0, s.userBias().length);
          System.arraycopy(s.itemBias(), 0, model.itemBias(), 0, s.itemBias().length);
        });
    if (model.factors() < config.factors()) {
      // training stopped before the last stage: the file still has the config's width (zeros add nothing)
      model.widen(config.factors(), 0f, widening);
    }
    return model;
  }

  /** The tables early stopping keeps, with the width they had (progressive training widens later ones). */
  private record Snapshot(int factors, float[] users, float[] items, float[] userBias, float[] itemBias) {}

  /** Difficulty of rating {@code e}: the model's squared error on it, in rating units. */
  static IntToDoubleFunction squaredError(MfModel m, InteractionLog log) {
    return e -> {
      double r = log.value(e) - m.rawPrediction(log.user(e), log.item(e));
      return r * r;
    };
  }

  /**
   * One pass in {@code order}; returns the training RMSE (in rating units, unclipped residuals)
   * measured before each update.
   */
  private double epoch(MfModel m, InteractionLog log, int[] order, Optimizer userOpt,
      Optimizer itemOpt, float[] grad) {
    int k = m.factors();
    float lr = userOpt.currentRate();
    float reg = m.config().regularization();
    float biasReg = m.config().biasRegularization();
    float[] p = m.userFactors();
    float[] q = m.itemFactors();
    float[] bu = m.userBias();
    float[] bi = m.itemBias();
    float mu = m.globalBias();
    float spread = m.ratingSpread();
    double squared = 0;
    for (int e : order) {
      int u = log.user(e);
      int i = log.item(e);
      int po = u * k;
      int qo = i * k;
      float pred = mu + bu[u] + bi[i];
      for (int d = 0; d < k; d++) {
        pred += p[po + d] * q[qo + d];
      }
      float raw = log.value(e) - pred;
      squared += (double) raw * raw;
      float err = m.residual(log.value(e), pred);
      float factorErr = err / spread;
      bu[u] += lr * (err - biasReg * bu[u]);
      bi[i] += lr * (err - biasReg * bi[i]);
      // Gradients of the z-space loss ½err_z² + ½λ‖·‖² in rating units, both taken at the old values.
      for (int d = 0; d < k; d++) {
        grad[d] = -factorErr * q[qo + d] + reg * p[po + d];
        grad[k + d] = -factorErr * p[po + d] + reg * q[qo + d];
      }
      userOpt.updateRow(p, u, grad, 0, lr);
      itemOpt.updateRow(q, i, grad, k, lr);
    }
    return Math.sqrt(squared / Math.max(1, order.length));
  }

  /** Plain SGD passes over {@code events} in seeded random order (used by partialFit). */
  static void sgdEpochs(MfModel m, InteractionLog events, MfConfig config, int epochs,
      OptimizerConfig optimizer, SplittableRandom random) {
    Optimizer userOpt = new Optimizer(optimizer, m.userCount(), m.factors());
    Optimizer itemOpt = new Optimizer(optimizer, m.itemCount(), m.factors());
    int[] order = identity(events.size());
    float[] grad = new float[2 * m.factors()];
    MfTrainer trainer = new MfTrainer(config);
    for (int e = 0; e < epochs; e++) {
      shuffle(order, random);
      trainer.epoch(m, events, order, userOpt, itemOpt, grad);
    }
  }

  static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
