package io.perennial.model.mf;

import io.perennial.optim.OptimizerKind;

/**
 * @param factors latent dimensions
 * @param epochs passes over the ratings
 * @param learningRate base SGD rate
 * @param learningRateDecay multiplicative decay of the rate after each epoch
 * @param regularization L2 penalty on factor rows
 * @param biasRegularization L2 penalty on biases
 * @param initScale standard deviation of the initial factors
 * @param optimizer update rule for factor rows ({@code SGD}, {@code ADAGRAD}, {@code ADAM}, …)
 * @param seed RNG seed (initialisation and shuffling)
 * @param foldInSteps SGD passes over a user's ratings when folding the user in
 * @param partialFitEpochs passes over new events in {@code partialFit}
 * @param onlineSteps SGD steps on each event learned online
 * @param dp DP-SGD settings (with the public rating scale), or {@code null} to train without
 *     differential privacy
 * @param warmupEpochs epochs of linear learning-rate warm-up before the decay starts; 0 = none
 * @param curriculum which ratings each epoch trains on, easiest first ({@code null} = all, the default)
 * @param progressive staged widening of the factors ({@code null} = the final width from the start)
 */
public record MfConfig(
    int factors,
    int epochs,
    float learningRate,
    float learningRateDecay,
    float regularization,
    float biasRegularization,
    float initScale,
    OptimizerKind optimizer,
    long seed,
    int foldInSteps,
    int partialFitEpochs,
    int onlineSteps,
    io.perennial.privacy.DpConfig dp,
    int warmupEpochs,
    io.perennial.model.curriculum.CurriculumConfig curriculum,
    io.perennial.model.progressive.ProgressiveConfig progressive) {

  public MfConfig {
    if (factors < 1 || epochs < 0 || foldInSteps < 1 || partialFitEpochs < 0 || onlineSteps < 1) {
      throw new IllegalArgumentException("factors and foldInSteps must be >= 1, epochs >= 0");
    }
    if (!(learningRate > 0) || !(learningRateDecay > 0) || learningRateDecay > 1) {
      throw new IllegalArgumentException("learningRate must be > 0 and learningRateDecay in (0, 1]");
    }
    if (regularization < 0 || biasRegularization < 0 || initScale < 0) {
      throw new IllegalArgumentException("regularization and initScale must be >= 0");
    }
    io.perennial.model.progressive.ProgressiveConfig.checkRecipes(warmupEpochs, progressive, curriculum != null,
        dp != null, factors, epochs);
    if (optimizer == null) {
      optimizer = OptimizerKind.SGD;
    }
    if (dp != null && dp.ratingMin() == null) {
      throw new IllegalArgumentException("dp for mf needs dp.ratingMin and dp.ratingMax, the public rating scale: "
          + "the data's own mean and spread would leak");
    }
  }

  /** Tuned on ml-latest-small, 5-fold random CV (see docs/BENCHMARKS.md). */
  public static MfConfig defaults() {
    return new MfConfig(128, 40, 0.01f, 0.97f, 0.05f, 0.01f, 0.05f, OptimizerKind.SGD, 42L, 30, 3, 3, null, 0, null, null);
  }

  /** This config without a curriculum or progressive stages: the teacher of a teacher curriculum. */
  public MfConfig plain() {
    return new MfConfig(factors, epochs, learningRate, learningRateDecay, regularization, biasRegularization,
        initScale, optimizer, seed, foldInSteps, partialFitEpochs, onlineSteps, dp, warmupEpochs, null, null);
  }

  /** The learning-rate schedule over epochs: the optional warm-up, then the per-epoch decay. */
  public io.perennial.optim.LearningRateSchedule schedule() {
    io.perennial.optim.LearningRateSchedule decay =
        new io.perennial.optim.LearningRateSchedule.StepDecay(1, learningRateDecay);
    return warmupEpochs > 0 ? new io.perennial.optim.LearningRateSchedule.LinearWarmup(warmupEpochs, decay) : decay;
  }
}
