package io.perennial.model.neumf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.EpochLoop;
import io.perennial.model.MemoryBudget;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;
import io.perennial.model.transfer.DeepWarmStart;
import io.perennial.model.transfer.FineTune;
import io.perennial.model.transfer.SourceModel;
import io.perennial.model.transfer.WarmStart;
import io.perennial.model.transfer.WarmStartable;
import io.perennial.nn.ParameterOptimizer;
import io.perennial.nn.ParameterSet;
import io.perennial.nn.Tensor;
import io.perennial.optim.LearningRateSchedule;
import io.perennial.optim.OptimizerConfig;
import io.perennial.optim.OptimizerKind;
import io.perennial.model.curriculum.Curriculum;
import io.perennial.model.curriculum.DifficultyScorer;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

/**
 * Trains NeuMF by mini-batch Adam on point-wise BCE: every positive of the (deduplicated) training
 * history once per epoch, in a seeded shuffled order, each with {@code negatives} fresh uniform
 * negatives. With {@code pretrain}, the GMF and the MLP towers are first trained alone and then
 * fused as in the paper. With a {@code dp} config, DP-SGD instead ({@link DpNeumfTraining}).
 * Single-threaded, so the same seed and data give the same model.
 */
public final class NeumfTrainer implements Trainer, WarmStartable {

  private final NeumfConfig config;

  public NeumfTrainer(NeumfConfig config) {
    this.config = config;
  }

  @Override
  public String type() {
    return NeumfModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return new ObjectMapper().valueToTree(config);
  }

  /**
   * Values, gradients and Adam's two moments of every parameter (four floats each), and the
   * activation buffers of one training batch and one scoring chunk.
   */
  @Override
  public long estimatedBytes(int users, int items, long interactions) {
    long width = (long) config.gmfFactors() + config.mlpEmbedding();
    long tables = MemoryBudget.times(MemoryBudget.plus(users, items), width);
    long e = config.mlpEmbedding();
    long dense = 2 * e * e + config.gmfFactors() + 2;
    for (int l = 1; l < config.mlpLayers(); l++) {
      dense += (e >> (l - 1)) * (e >> l) + (e >> l);
    }
    long rows = (long) config.batchSize() * (1 + config.negatives()) + 256;
    long activations = MemoryBudget.plus(MemoryBudget.times(rows, 6 * width + 4 * e + 8), MemoryBudget.times(items, e));
    return MemoryBudget.plus(MemoryBudget.times(MemoryBudget.plus(tables, dense), 4L * Float.BYTES),
        MemoryBudget.times(activations, Float.BYTES));
  }

  static OptimizerConfig adam(float learningRate, float weightDecay) {
    return OptimizerConfig.sgd(learningRate).withKind(OptimizerKind.ADAM).withWeightDecay(weightDecay);
  }

  /** Adam at {@code rate}, decayed by {@code learningRateDecay} once per epoch of {@code positives}. */
  private OptimizerConfig epochAdam(float rate, int positives) {
    long stepsPerEpoch = Math.max(1, (positives + config.batchSize() - 1) / config.batchSize());
    return adam(rate, config.weightDecay())
        .withSchedule(new LearningRateSchedule.StepDecay(stepsPerEpoch, config.learningRateDecay()));
  }

  /** Every fine-tune but the prior. */
  @Override
  public boolean supports(FineTune.Mode mode) {
    return mode != FineTune.Mode.PRIOR;
  }

  @Override
  public void checkSource(SourceModel source, FineTune fineTune, boolean matchUsers) {
    if (matchUsers) {
      throw new IllegalArgumentException("a warm-started NeuMF starts its users fresh: leave --user-key at none");
    }
    if (config.dp() != null) {
      throw new IllegalArgumentException("a warm-started NeuMF trains without dp in its config");
    }
    NeumfNetwork probe = new NeumfNetwork(config, 1, 1);
    DeepWarmStart.check(type(), source, probe.params, ITEM_TABLES,
        source.deep() ? "leave gmfFactors, mlpFactors and mlpLayers out of --config to take the source's"
            : "set gmfFactors (GMF) or mlpFactors·2^(mlpLayers-1) (MLP) in --config");
    if (fineTune.mode() == FineTune.Mode.FREEZE_LAYERS) {
      DeepWarmStart.layers(type(), probe.params, NeumfNetwork.layerGroups(probe.params), fineTune.frozenLayers());
    }
  }

  private static final java.util.List<String> ITEM_TABLES = java.util.List.of(NeumfNetwork.GMF_ITEM,
      NeumfNetwork.MLP_ITEM);

  @Override
  public NeumfModel fit(Dataset train, TrainingOptions options) {
    return fit(train, options, null);
  }

  /**
   * Trains starting from {@code start} ({@link DeepWarmStart}): the item tables as wide as a factor
   * source seeded by the match, or from a NeuMF source every item table and layer copied (then
   * without the towers' pre-training: the source is already fused); fine-tuned by learning-rate
   * scales (in the pre-training phases, the scales of epoch 0).
   */
  @Override
  public NeumfModel fit(Dataset train, TrainingOptions options, WarmStart start) {
    MemoryBudget.check(this, train);
    if (start != null && config.dp() != null) {
      throw new IllegalArgumentException("a warm-started NeuMF trains without dp in its config");
    }
    SplittableRandom random = new SplittableRandom(config.seed());
    int users = train.userCount();
    int items = train.itemCount();
    for (long side : new long[] {users, items}) {
      MemoryBudget.checkTable("NeuMF embedding table", side, config.gmfFactors() + config.mlpEmbedding());
    }
    UserHistory history = UserHistory.of(train.byUser());
    float[] popularity = AbstractRecommender.countItems(train.log(), items);
    NeumfNetwork net = new NeumfNetwork(config, users, items);
    net.init(config, random);
    DeepWarmStart warm = start == null ? null
        : new DeepWarmStart(type(), start, net.params, ITEM_TABLES, items, NeumfNetwork.layerGroups(net.params));
    NeumfModel model = new NeumfModel(config, history, popularity, users, items, net);
    // Positives from the deduplicated history, so a repeated event is not over-sampled.
    int n = (int) history.size();
    int[] posUsers = new int[n];
    int[] posItems = new int[n];
    int p = 0;
    for (int u = 0; u < users; u++) {
      for (int i : history.items(u)) {
        posUsers[p] = u;
        posItems[p++] = i;
      }
    }
    if (config.dp() != null) {
      model.setPrivacy(DpNeumfTraining.train(model, posUsers, posItems, options, random));
      model.refreshScoring();
      return model;
    }
    Epochs epochs = new Epochs(net, history, items, posUsers, posItems, random);
    float rate = config.learningRate();
    if (config.pretrain() && config.pretrainEpochs() > 0 && (start == null || !start.deep())) {
      pretrain(model, epochs, options, warm);
      rate = config.fusedLearningRate();
    }
    ParameterOptimizer adam = new ParameterOptimizer(net.params, epochAdam(rate, n), 0);
    float[] values = net.params.values();
    Curriculum curriculum = null;
    IntToDoubleFunction teacherDifficulty = null;
    if (config.curriculum() != null) {
      curriculum = new Curriculum(config.curriculum(), posUsers, posItems, users, items, config.seed());
      if (curriculum.scorer() == DifficultyScorer.TEACHER) {
        // the teacher: this very model trained without the curriculum first
        NeumfModel teacher = new NeumfTrainer(config.plain()).fit(train, TrainingOptions.silent());
        teacherDifficulty = DifficultyScorer.rankingDifficulty(teacher::score, posUsers, posItems, items,
            config.curriculum().negatives(), config.seed(), false);
      }
    }
    Curriculum paced = curriculum;
    IntToDoubleFunction teacherScores = teacherDifficulty;
    EpochLoop.run(type(), model, config.epochs(), (long) n * (1 + config.negatives()), options,
        epoch -> {
          if (warm != null) {
            warm.applyScales(adam, epoch);
          }
          model.parametersChanging();
          int[] chosen = null;
          if (paced != null) {
            if (paced.scorer() == DifficultyScorer.SELF_PACED) {
              model.refreshScoring();
            }
            chosen = paced.examples(epoch, paced.scorer() == DifficultyScorer.SELF_PACED
                ? DifficultyScorer.rankingDifficulty(model::score, posUsers, posItems, items,
                    paced.config().negatives(), config.seed() + epoch, true)
                : teacherScores);
          }
          double loss = epochs.run(adam, NeumfNetwork.Mode.FUSED, chosen);
          // the validator, if any, scores the catalogue next
          model.refreshScoring();
          return loss;
        },
        values::clone,
        saved -> System.arraycopy(saved, 0, values, 0, saved.length));
    model.refreshScoring();
    return model;
  }

  /**
   * The paper's pre-training: GMF alone, then the MLP alone (each with its own output weights and a
   * bias of its own), then the fused output layer {@code [α·h_gmf, (1-α)·h_mlp]} with bias {@code
   * α·b_gmf + (1-α)·b_mlp}.
   */
  private void pretrain(NeumfModel model, Epochs epochs, TrainingOptions options, DeepWarmStart warm) {
    NeumfNetwork net = epochs.net;
    ParameterSet params = net.params;
    float[] values = params.values();
    int bias = net.predictBias.offset();
    TrainingOptions plain = TrainingOptions.of(options.listener());
    long rows = (long) epochs.posUsers.length * (1 + config.negatives());
    ParameterOptimizer gmfAdam = new ParameterOptimizer(params, epochAdam(config.learningRate(), epochs.posUsers.length), 0);
    if (warm != null) {
      warm.applyScales(gmfAdam, 0);
    }
    EpochLoop.run(type() + "/gmf", model, config.pretrainEpochs(), rows, plain,
        epoch -> epochs.run(gmfAdam, NeumfNetwork.Mode.GMF), () -> null, s -> {});
    float gmfBias = values[bias];
    values[bias] = 0;
    ParameterOptimizer mlpAdam = new ParameterOptimizer(params, epochAdam(config.learningRate(), epochs.posUsers.length), 0);
    if (warm != null) {
      warm.applyScales(mlpAdam, 0);
    }
    EpochLoop.run(type() + "/mlp", model, config.pretrainEpochs(), rows, plain,
        epoch -> epochs.run(mlpAdam, NeumfNetwork.Mode.MLP), () -> null, s -> {});
    float mlpBias = values[bias];
    float alpha = config.alpha();
    scale(values, net.predictGmf.weight(), alpha);
    scale(values, net.predictMlp.weight(), 1 - alpha);
    values[bias] = alpha * gmfBias + (1 - alpha) * mlpBias;
  }

  private static void scale(float[] values, Tensor t, float factor) {
    for (int p = t.offset(); p < t.offset() + t.size(); p++) {
      values[p] *= factor;
    }
  }

  /** One pass over the positives, shuffled, in mini-batches; shared by pre-training and the fused phase. */
  private final class Epochs {
    final NeumfNetwork net;
    final UserHistory history;
    final int items;
    final int[] posUsers;
    final int[] posItems;
    final int[] order;
    final SplittableRandom random;
    final NeumfNetwork.Workspace ws;

    Epochs(NeumfNetwork net, UserHistory history, int items, int[] posUsers, int[] posItems, SplittableRandom random) {
      this.net = net;
      this.history = history;
      this.items = items;
      this.posUsers = posUsers;
      this.posItems = posItems;
      this.order = new int[posUsers.length];
      this.random = random;
      this.ws = net.workspace(config.batchSize() * (1 + config.negatives()));
    }

    /** @return the mean BCE over the epoch's rows */
    double run(ParameterOptimizer optimizer, NeumfNetwork.Mode mode) {
      return run(optimizer, mode, null);
    }

    /** As the other, over the positives {@code chosen} (a curriculum's selection; {@code null} = all), shuffled. */
    double run(ParameterOptimizer optimizer, NeumfNetwork.Mode mode, int[] chosen) {
      if (posUsers.length == 0 || items < 2) {
        return 0;
      }
      int[] order = this.order;
      if (chosen == null) {
        NegativeBatches.shuffle(order, random);
      } else {
        int[] selection = chosen.clone();
        for (int c = selection.length - 1; c > 0; c--) {
          int j = random.nextInt(c + 1);
          int t = selection[c];
          selection[c] = selection[j];
          selection[j] = t;
        }
        order = selection;
      }
      double loss = 0;
      long rows = 0;
      int k = config.negatives();
      for (int from = 0; from < order.length; from += config.batchSize()) {
        int count = Math.min(config.batchSize(), order.length - from);
        int n = NegativeBatches.fill(ws, posUsers, posItems, order, from, count, k, history, items, random);
        loss += (double) net.trainStep(ws, n, mode, 1f, 1 + k) * n;
        rows += n;
        optimizer.step();
      }
      return loss / rows;
    }
  }
}
