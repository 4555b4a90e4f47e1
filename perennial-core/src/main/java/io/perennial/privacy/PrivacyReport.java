package io.perennial.privacy;

/**
 * The (ε, δ) guarantee of a DP-SGD run, as the accountant computed it.
 *
 * @param epsilon ε at {@code delta}
 * @param delta δ
 * @param noiseMultiplier σ used
 * @param samplingRate q, each example's chance of being in a step's batch
 * @param steps noisy steps taken
 * @param clipNorm per-example gradient norm bound
 * @param order the Rényi order that gave ε
 * @param examples training examples (interactions) the rate is over
 */
public record PrivacyReport(double epsilon, double delta, double noiseMultiplier, double samplingRate, long steps,
    double clipNorm, int order, long examples) {

  /** What is protected: one interaction, not a whole user's history. */
  public static final String UNIT = "interaction";

  /** The report of a run of {@code steps} steps with these settings. */
  public static PrivacyReport of(DpConfig config, double sigma, long steps, long examples) {
    double q = config.samplingRate(examples);
    RdpAccountant.Bound b = RdpAccountant.epsilon(q, sigma, steps, config.delta());
    return new PrivacyReport(b.epsilon(), config.delta(), sigma, q, steps, config.clipNorm(), b.order(), examples);
  }

  /** As a model-state section (doubles kept as floats; steps and examples exact below 2²⁴). */
  public float[] toArray() {
    return new float[] {(float) epsilon, (float) delta, (float) noiseMultiplier, (float) samplingRate, steps,
        (float) clipNorm, order, examples};
  }

  /** Reads {@link #toArray()}'s layout back. */
  public static PrivacyReport fromArray(float[] a) {
    return new PrivacyReport(a[0], a[1], a[2], a[3], (long) a[4], a[5], (int) a[6], (long) a[7]);
  }
}
