package io.perennial.model.neumf;

import io.perennial.model.EpochLoop;
import io.perennial.model.TrainingOptions;
import io.perennial.nn.ParameterOptimizer;
import io.perennial.nn.PerExampleClipping;
import io.perennial.optim.LearningRateSchedule;
import io.perennial.privacy.DpConfig;
import io.perennial.privacy.PoissonSampling;
import io.perennial.privacy.PrivacyReport;
import java.util.SplittableRandom;

/**
 * NeuMF trained by DP-SGD ({@link DpConfig}) with Adam as the update rule (DP-Adam: Adam only
 * post-processes the noisy gradient, so it costs no privacy). An example is one positive with its
 * {@code negatives} sampled items; each step Poisson-samples the positives, runs the backward of
 * each example alone into the parameter set's gradient, measures that gradient's norm over every
 * parameter (all four embedding tables and every layer), scales it to at most the clip norm and adds
 * it to a running sum. The step's gradient is {@code (Σ clipped + N(0, (σC)²)) / (q·n)} on every
 * parameter — noise on every row of every table, so which rows a batch touched is hidden too —
 * divided by the expected batch size, which is public. The decay is AdamW's ({@code θ ← (1 −
 * lr·weightDecay)·θ}, on weights and embeddings) and data-independent.
 *
 * <p>Negatives are uniform over all items but the positive, seen ones included: rejecting a user's
 * seen items would let one interaction change other examples' gradients, which the per-example
 * bound does not cover. Per-example backward passes run the network over {@code 1 + negatives}
 * rows at a time instead of one batch of {@code batchSize·(1 + negatives)}, and each example also
 * costs a pass over the dense parameters (norm, sum, zeroing); each step adds noise to and
 * Adam-steps every parameter, the tables' untouched rows included.
 */
final class DpNeumfTraining {

  private final NeumfNetwork net;
  private final NeumfNetwork.Workspace ws;
  private final int negatives;
  private final PerExampleClipping clipping;

  DpNeumfTraining(NeumfNetwork net, int negatives, float clip) {
    this.net = net;
    this.ws = net.workspace(1 + negatives);
    this.negatives = negatives;
    this.clipping = new PerExampleClipping(net.params, clip);
  }

  /** Trains {@code model}'s network in place; returns the accountant's guarantee for the steps taken. */
  static PrivacyReport train(NeumfModel model, int[] posUsers, int[] posItems, TrainingOptions options,
      SplittableRandom random) {
    NeumfConfig config = model.config();
    DpConfig dp = config.dp();
    NeumfNetwork net = model.network();
    int n = posUsers.length;
    double sigma = dp.sigmaFor(config.epochs(), n);
    if (n == 0) {
      return PrivacyReport.of(dp, sigma, 0, 0);
    }
    double q = dp.samplingRate(n);
    long stepsPerEpoch = (long) Math.ceil(1 / q);
    double expectedBatch = q * n;
    float noise = (float) (sigma * dp.clipNorm());
    int items = net.itemRows;
    DpNeumfTraining dpt = new DpNeumfTraining(net, config.negatives(), dp.clipNorm());
    ParameterOptimizer adam = new ParameterOptimizer(net.params,
        NeumfTrainer.adam(config.learningRate(), dp.weightDecay())
            .withSchedule(new LearningRateSchedule.StepDecay(stepsPerEpoch, config.learningRateDecay())), 0);
    float[] values = net.params.values();
    int[] drawn = new int[config.negatives()];
    long[] stepsTaken = {0};
    EpochLoop.run(NeumfModel.TYPE, model, config.epochs(), (long) n * (1 + config.negatives()), options,
        epoch -> {
          model.parametersChanging();
          double loss = 0;
          long seen = 0;
          for (long s = 0; s < stepsPerEpoch; s++) {
            for (int e = PoissonSampling.next(-1, q, n, random); e < n; e = PoissonSampling.next(e, q, n, random)) {
              for (int j = 0; j < drawn.length; j++) {
                drawn[j] = uniformNegative(posItems[e], items, random);
              }
              loss += dpt.addExample(posUsers[e], posItems[e], drawn);
              seen++;
            }
            dpt.noisyGradient(noise, expectedBatch, random);
            adam.step();
            stepsTaken[0]++;
          }
          model.refreshScoring();
          return seen == 0 ? 0 : loss / seen;
        },
        values::clone,
        saved -> System.arraycopy(saved, 0, values, 0, saved.length));
    // the accountant charges every step taken, including those of epochs early stopping discarded
    return PrivacyReport.of(dp, sigma, stepsTaken[0], n);
  }

  /** A uniform item other than {@code positive} (the positive itself when it is the only item). */
  static int uniformNegative(int positive, int itemCount, SplittableRandom random) {
    if (itemCount < 2) {
      return positive;
    }
    int j = random.nextInt(itemCount - 1);
    return j >= positive ? j + 1 : j;
  }

  /**
   * Adds one example's gradient — the mean BCE of the positive {@code (user, item)} and its {@code
   * negatives}, over every parameter — scaled to norm at most the clip norm, to the step's sum; the
   * parameters do not change.
   *
   * @return the example's loss
   */
  double addExample(int user, int item, int[] negativeItems) {
    if (negativeItems.length != negatives) {
      throw new IllegalArgumentException("an example has " + negatives + " negatives, got " + negativeItems.length);
    }
    ws.users[0] = user;
    ws.items[0] = item;
    ws.labels[0] = 1f;
    for (int j = 0; j < negatives; j++) {
      ws.users[1 + j] = user;
      ws.items[1 + j] = negativeItems[j];
      ws.labels[1 + j] = 0f;
    }
    int rows = 1 + negatives;
    float loss = net.trainStep(ws, rows, NeumfNetwork.Mode.FUSED, 1f, rows);
    clipping.addExample();
    return loss;
  }

  /** The unclipped gradient norm of the last example added. */
  double lastNorm() {
    return clipping.lastNorm();
  }

  /** The sum of the clipped gradients added since the last {@link #noisyGradient} (a live view). */
  float[] sum() {
    return clipping.sum();
  }

  /** See {@link PerExampleClipping#noisyGradient}. */
  void noisyGradient(float noiseStd, double normalizer, SplittableRandom random) {
    clipping.noisyGradient(noiseStd, normalizer, random);
  }
}
