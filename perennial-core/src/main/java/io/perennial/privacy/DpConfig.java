package io.perennial.privacy;

/**
 * DP-SGD settings of a model's {@code dp} config field: each step samples every training
 * interaction with probability {@code batchSize / interactions} (Poisson sampling, which the
 * accountant assumes), clips each example's gradient over all the parameters it touches to L2 norm
 * {@code clipNorm}, sums them, adds Gaussian noise of standard deviation {@code noiseMultiplier ·
 * clipNorm} to every parameter, and steps by the learning rate times that sum (BPR, MF) or hands
 * the noisy sum over the expected batch size to Adam (NeuMF). The unit of privacy is one
 * interaction (a user–item pair).
 *
 * @param noiseMultiplier σ, the noise's standard deviation over the clip norm; or {@code null} to
 *     derive it from {@code targetEpsilon}
 * @param targetEpsilon the ε to reach at {@code delta} after the configured epochs, for which the
 *     accountant finds the smallest σ; {@code null} when σ is given
 * @param delta δ of the reported (ε, δ) guarantee; default 1e-5
 * @param clipNorm per-example gradient norm bound C; default 1
 * @param batchSize expected examples per step; default 1024
 * @param weightDecay decoupled decay applied to every parameter at each step (data-independent,
 *     so it costs no privacy): {@code θ ← (1 − wd)·θ} for SGD, AdamW's {@code (1 − lr·wd)·θ} for
 *     NeuMF; default 0.01
 * @param ratingMin for rating models (MF): the smallest rating of the public scale; ratings are
 *     centred and scaled by the scale, not by the data's own mean and spread, which would leak
 * @param ratingMax for rating models: the largest rating of the public scale
 */
public record DpConfig(Double noiseMultiplier, Double targetEpsilon, Double delta, Float clipNorm, Integer batchSize,
    Float weightDecay, Float ratingMin, Float ratingMax) {

  public DpConfig {
    if ((noiseMultiplier == null) == (targetEpsilon == null)) {
      throw new IllegalArgumentException("dp: give exactly one of noiseMultiplier and targetEpsilon");
    }
    if (noiseMultiplier != null && !(noiseMultiplier > 0)) {
      throw new IllegalArgumentException("dp.noiseMultiplier must be > 0, got " + noiseMultiplier);
    }
    if (targetEpsilon != null && !(targetEpsilon > 0)) {
      throw new IllegalArgumentException("dp.targetEpsilon must be > 0, got " + targetEpsilon);
    }
    delta = delta == null ? 1e-5 : delta;
    clipNorm = clipNorm == null ? 1f : clipNorm;
    batchSize = batchSize == null ? 1024 : batchSize;
    weightDecay = weightDecay == null ? 0.01f : weightDecay;
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("dp.delta must be in (0, 1), got " + delta);
    }
    if (!(clipNorm > 0) || batchSize < 1 || !(weightDecay >= 0 && weightDecay < 1)) {
      throw new IllegalArgumentException("dp.clipNorm must be > 0, dp.batchSize >= 1, dp.weightDecay in [0, 1)");
    }
    if ((ratingMin == null) != (ratingMax == null) || (ratingMin != null && !(ratingMin < ratingMax))) {
      throw new IllegalArgumentException("dp.ratingMin and dp.ratingMax go together, with ratingMin < ratingMax");
    }
  }

  /** A run with a target ε and the other settings at their defaults. */
  public static DpConfig forEpsilon(double epsilon) {
    return new DpConfig(null, epsilon, null, null, null, null, null, null);
  }

  /** Sampling rate for {@code examples} training examples. */
  public double samplingRate(long examples) {
    return Math.min(1.0, batchSize / (double) Math.max(1, examples));
  }

  /** Steps in {@code epochs} passes: each pass is {@code 1/q} steps in expectation. */
  public long steps(int epochs, long examples) {
    return (long) epochs * (long) Math.ceil(1 / samplingRate(examples));
  }

  /** σ for this run: the one given, or the smallest that keeps ε at the target. */
  public double sigmaFor(int epochs, long examples) {
    return noiseMultiplier != null ? noiseMultiplier
        : RdpAccountant.noiseFor(targetEpsilon, samplingRate(examples), steps(epochs, examples), delta);
  }
}
