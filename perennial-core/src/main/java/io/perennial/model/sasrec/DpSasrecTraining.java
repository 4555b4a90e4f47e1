package io.perennial.model.sasrec;

import io.perennial.model.EpochLoop;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;
import io.perennial.nn.ParameterOptimizer;
import io.perennial.nn.PerExampleClipping;
import io.perennial.optim.LearningRateSchedule;
import io.perennial.optim.OptimizerConfig;
import io.perennial.optim.OptimizerKind;
import io.perennial.privacy.DpConfig;
import io.perennial.privacy.PoissonSampling;
import io.perennial.privacy.PrivacyReport;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SASRec trained by DP-SGD ({@link DpConfig}) with Adam as the update rule: user-level DP, since
 * an example is one user's whole training sequence (every window of it). Each step Poisson-samples
 * the users; a sampled user's windows run forward and backward one at a time (the gradient of the
 * sum over the windows of each window's mean loss per position), that gradient over every
 * parameter is clipped to the clip norm and added to the step's sum, and the step's gradient is
 * {@code (Σ clipped + N(0, (σC)²)) / (q·users)} on every parameter, every item row included.
 * BCE's negatives avoid only the example's own user's items, which lie inside the example. The
 * configured global-norm clipping does not apply (the per-example bound replaces it), nor does the
 * warm-up; the decay is AdamW's, {@code dp.weightDecay}, on weights and embeddings.
 *
 * <p>Cost: one forward and backward per window (no batching, one thread) plus a pass over the dense
 * parameters per user, and noise and an Adam step on every parameter per step.
 */
final class DpSasrecTraining {

  private DpSasrecTraining() {}

  /**
   * Trains {@code model}'s network in place on {@code windows} (grouped by user, in user order, as
   * the trainer builds them); returns the accountant's guarantee per user.
   */
  static PrivacyReport train(SasrecModel model, SasrecConfig cfg, List<SasrecSteps.Window> windows, long positions,
      UserHistory history, int items, TrainingOptions options) {
    DpConfig dp = cfg.dp();
    List<List<SasrecSteps.Window>> byUser = byUser(windows);
    int n = byUser.size();
    double sigma = dp.sigmaFor(cfg.epochs(), n);
    if (n == 0) {
      return PrivacyReport.of(dp, sigma, 0, 0, PrivacyReport.USER_UNIT);
    }
    double q = dp.samplingRate(n);
    long stepsPerEpoch = (long) Math.ceil(1 / q);
    double expected = q * n;
    float noise = (float) (sigma * dp.clipNorm());
    SasrecNetwork network = model.network();
    SplittableRandom random = new SplittableRandom(SasrecSteps.mix(cfg.seed(), 0xD95));
    PerExampleClipping clipping = new PerExampleClipping(network.params(), dp.clipNorm());
    // β₂ = 0.98 as in the plain trainer
    OptimizerConfig adam = new OptimizerConfig(OptimizerKind.ADAM, cfg.learningRate(), 0.9f, 0.9f, 0.98f, 1e-8f,
        0f, dp.weightDecay(), 0f, 0f, LearningRateSchedule.constant());
    ParameterOptimizer optimizer = new ParameterOptimizer(network.params(), adam, 0);
    float[] values = network.params().values();
    long[] passes = {0};
    long[] stepsTaken = {0};
    boolean validating = options.validator() != null;
    try (SasrecSteps gradients = new SasrecSteps(network, cfg.withThreads(1), 1, 0, history, items)) {
      EpochLoop.run(SasrecModel.TYPE, model, cfg.epochs(), positions, options,
          epoch -> {
            double loss = 0;
            long seen = 0;
            for (long s = 0; s < stepsPerEpoch; s++) {
              for (int e = PoissonSampling.next(-1, q, n, random); e < n; e = PoissonSampling.next(e, q, n, random)) {
                List<SasrecSteps.Window> user = byUser.get(e);
                for (int w = 0; w < user.size(); w++) {
                  // each pass its own key, so dropout masks and negatives differ between examples
                  loss += gradients.gradients(user, w, w + 1, passes[0]++);
                }
                clipping.addExample();
                seen++;
              }
              clipping.noisyGradient(noise, expected, random);
              optimizer.step();
              stepsTaken[0]++;
            }
            if (validating) {
              model.refreshAllStates();
            }
            return seen == 0 ? 0 : loss / seen;
          },
          values::clone,
          saved -> System.arraycopy(saved, 0, values, 0, saved.length));
    }
    // the accountant charges every step taken, including those of epochs early stopping discarded
    return PrivacyReport.of(dp, sigma, stepsTaken[0], n, PrivacyReport.USER_UNIT);
  }

  /** The windows cut into runs of one user each (the trainer adds a user's windows together). */
  static List<List<SasrecSteps.Window>> byUser(List<SasrecSteps.Window> windows) {
    List<List<SasrecSteps.Window>> out = new ArrayList<>();
    int from = 0;
    for (int i = 1; i <= windows.size(); i++) {
      if (i == windows.size() || windows.get(i).user() != windows.get(from).user()) {
        out.add(List.copyOf(windows.subList(from, i)));
        from = i;
      }
    }
    return out;
  }
}
