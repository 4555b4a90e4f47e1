package io.perennial.model.bpr;

import io.perennial.optim.OptimizerKind;

/**
 * @param factors latent dimensions
 * @param epochs passes; each draws {@code samplesPerEpoch × interactions} triples
 * @param learningRate base rate
 * @param learningRateDecay multiplicative decay of the rate after each epoch
 * @param regularization L2 penalty on user and item factors
 * @param biasRegularization L2 penalty on item biases
 * @param initScale standard deviation of the initial factors
 * @param negativeSampling uniform, popularity-aware, hard (from the current top ranks) or in-batch negatives
 * @param popularityExponent exponent of popularity-aware sampling
 * @param samplesPerEpoch triples per epoch as a multiple of the interactions
 * @param optimizer update rule for factor rows
 * @param threads worker threads (1 = deterministic from the seed)
 * @param seed RNG seed
 * @param foldInSteps sampled steps per known item when folding a user in
 * @param partialFitEpochs passes over new events in {@code partialFit}
 * @param onlineSteps sampled negatives per event learned online (one SGD step each)
 * @param onlineReplay extra steps per online event on the user's earlier positives, which keeps a
 *     per-event update from dragging the user towards the newest item only
 * @param hardCandidates uniform candidates per {@link NegativeSampling#HARD} negative (the highest scored is
 *     kept); 0 means the default, 5 (a checkpoint written before the field existed has none)
 * @param historyDropout share of the training pairs left out of each epoch, drawn afresh every epoch
 *     (interaction-level noise: the model cannot lean on any one event); 0 = off
 * @param dp DP-SGD settings, or {@code null} to train without differential privacy
 * @param warmupEpochs epochs of linear learning-rate warm-up (from {@code learningRate / warmupEpochs}
 *     up to {@code learningRate}) before the decay starts; 0 = none
 * @param curriculum which positives each epoch samples from, easiest first ({@code null} = all, the
 *     default)
 * @param progressive staged widening of the factors ({@code null} = the final width from the start)
 * @param onlineReplayByLoss the {@code onlineReplay} steps of an online event pick the user's earlier
 *     positives in proportion to their current BPR loss (against a few sampled items) instead of
 *     uniformly, so what the model now gets wrong is replayed more (a self-paced curriculum for the
 *     online strategies); {@code false}, the default, replays uniformly
 */
public record BprConfig(
    int factors,
    int epochs,
    float learningRate,
    float learningRateDecay,
    float regularization,
    float biasRegularization,
    float initScale,
    NegativeSampling negativeSampling,
    float popularityExponent,
    float samplesPerEpoch,
    OptimizerKind optimizer,
    int threads,
    long seed,
    int foldInSteps,
    int partialFitEpochs,
    int onlineSteps,
    int onlineReplay,
    int hardCandidates,
    float historyDropout,
    io.perennial.privacy.DpConfig dp,
    int warmupEpochs,
    io.perennial.model.curriculum.CurriculumConfig curriculum,
    io.perennial.model.progressive.ProgressiveConfig progressive,
    boolean onlineReplayByLoss) {

  public BprConfig {
    if (factors < 1 || epochs < 0 || threads < 1 || foldInSteps < 1 || partialFitEpochs < 0
        || onlineSteps < 1 || onlineReplay < 0) {
      throw new IllegalArgumentException("factors, threads and foldInSteps must be >= 1, epochs >= 0");
    }
    if (!(learningRate > 0) || !(learningRateDecay > 0) || learningRateDecay > 1 || !(samplesPerEpoch > 0)) {
      throw new IllegalArgumentException(
          "learningRate and samplesPerEpoch must be > 0, learningRateDecay in (0, 1]");
    }
    if (regularization < 0 || biasRegularization < 0 || initScale < 0 || popularityExponent < 0) {
      throw new IllegalArgumentException("regularization, initScale and popularityExponent must be >= 0");
    }
    if (hardCandidates == 0) {
      hardCandidates = 5;
    }
    if (hardCandidates < 1) {
      throw new IllegalArgumentException("hardCandidates must be >= 1, got " + hardCandidates);
    }
    if (!(historyDropout >= 0 && historyDropout < 1)) {
      throw new IllegalArgumentException("historyDropout must be in [0, 1), got " + historyDropout);
    }
    io.perennial.model.progressive.ProgressiveConfig.checkRecipes(warmupEpochs, progressive, curriculum != null,
        dp != null, factors, epochs);
    if (negativeSampling == null) {
      negativeSampling = NegativeSampling.UNIFORM;
    }
    if (optimizer == null) {
      optimizer = OptimizerKind.SGD;
    }
  }

  /**
   * Tuned on ml-latest-small, implicit, user-temporal 80/20, chosen on a validation split (each
   * user's latest 10 % of train) over seeds 42, 1, 2, 3: 120 epochs (the rate decays to 0.05 ×
   * 0.97¹²⁰ ≈ 0.001, so the last third refines), L2 0.015 on the factors and 0.1 on the item biases
   * (see docs/BENCHMARKS.md, issue 18).
   */
  public static BprConfig defaults() {
    return new BprConfig(64, 120, 0.05f, 0.97f, 0.015f, 0.1f, 0.1f, NegativeSampling.UNIFORM, 0.75f,
        1f, OptimizerKind.SGD, 1, 42L, 20, 3, 10, 5, 5, 0f, null, 0, null, null, false);
  }

  public BprConfig withThreads(int n) {
    return new BprConfig(factors, epochs, learningRate, learningRateDecay, regularization,
        biasRegularization, initScale, negativeSampling, popularityExponent, samplesPerEpoch,
        optimizer, n, seed, foldInSteps, partialFitEpochs, onlineSteps, onlineReplay, hardCandidates,
        historyDropout, dp, warmupEpochs, curriculum, progressive, onlineReplayByLoss);
  }

  /** This config with the online replay weighted by the current loss ({@code true}) or uniform. */
  public BprConfig withOnlineReplayByLoss(boolean byLoss) {
    return new BprConfig(factors, epochs, learningRate, learningRateDecay, regularization,
        biasRegularization, initScale, negativeSampling, popularityExponent, samplesPerEpoch,
        optimizer, threads, seed, foldInSteps, partialFitEpochs, onlineSteps, onlineReplay, hardCandidates,
        historyDropout, dp, warmupEpochs, curriculum, progressive, byLoss);
  }

  /** This config without a curriculum or progressive stages: the teacher of a teacher curriculum. */
  public BprConfig plain() {
    return new BprConfig(factors, epochs, learningRate, learningRateDecay, regularization,
        biasRegularization, initScale, negativeSampling, popularityExponent, samplesPerEpoch,
        optimizer, threads, seed, foldInSteps, partialFitEpochs, onlineSteps, onlineReplay, hardCandidates,
        historyDropout, dp, warmupEpochs, null, null, onlineReplayByLoss);
  }

  /** The learning-rate schedule over epochs: the optional warm-up, then the per-epoch decay. */
  public io.perennial.optim.LearningRateSchedule schedule() {
    io.perennial.optim.LearningRateSchedule decay =
        new io.perennial.optim.LearningRateSchedule.StepDecay(1, learningRateDecay);
    return warmupEpochs > 0 ? new io.perennial.optim.LearningRateSchedule.LinearWarmup(warmupEpochs, decay) : decay;
  }
}
