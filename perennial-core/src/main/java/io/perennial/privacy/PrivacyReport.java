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
 * @param examples training examples the rate is over (interactions, or users)
 * @param unit what one example is, and so what the guarantee protects: {@link #UNIT} or {@link
 *     #USER_UNIT}
 */
public record PrivacyReport(double epsilon, double delta, double noiseMultiplier, double samplingRate, long steps,
    double clipNorm, int order, long examples, String unit) {

  /** The unit of BPR, MF and NeuMF: one interaction, not a whole user's history. */
  public static final String UNIT = "interaction";
  /** The unit of SASRec: one user's whole training sequence (user-level DP). */
  public static final String USER_UNIT = "user";

  public PrivacyReport {
    if (!UNIT.equals(unit) && !USER_UNIT.equals(unit)) {
      throw new IllegalArgumentException("privacy unit must be " + UNIT + " or " + USER_UNIT + ", got " + unit);
    }
  }

  /** The report of a run of {@code steps} steps with these settings, one interaction an example. */
  public static PrivacyReport of(DpConfig config, double sigma, long steps, long examples) {
    return of(config, sigma, steps, examples, UNIT);
  }

  /** The report of a run of {@code steps} steps with these settings, {@code unit} an example. */
  public static PrivacyReport of(DpConfig config, double sigma, long steps, long examples, String unit) {
    double q = config.samplingRate(examples);
    RdpAccountant.Bound b = RdpAccountant.epsilon(q, sigma, steps, config.delta());
    return new PrivacyReport(b.epsilon(), config.delta(), sigma, q, steps, config.clipNorm(), b.order(), examples,
        unit);
  }

  /** As a model-state section (doubles kept as floats; steps and examples exact below 2²⁴; unit 0/1). */
  public float[] toArray() {
    return new float[] {(float) epsilon, (float) delta, (float) noiseMultiplier, (float) samplingRate, steps,
        (float) clipNorm, order, examples, USER_UNIT.equals(unit) ? 1 : 0};
  }

  /** Reads {@link #toArray()}'s layout back (a section written before units were recorded is per interaction). */
  public static PrivacyReport fromArray(float[] a) {
    String unit = a.length > 8 && a[8] == 1 ? USER_UNIT : UNIT;
    return new PrivacyReport(a[0], a[1], a[2], a[3], (long) a[4], a[5], (int) a[6], (long) a[7], unit);
  }
}
