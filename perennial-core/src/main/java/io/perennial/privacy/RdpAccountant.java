package io.perennial.privacy;

/**
 * Rényi-DP accountant of the sampled Gaussian mechanism (Mironov, Talwar and Zhang 2019), the
 * moments accountant of DP-SGD (Abadi et al. 2016) in its RDP form: each step adds Gaussian noise
 * of standard deviation {@code σ·C} to a sum of per-example gradients clipped to norm {@code C},
 * over a batch in which each example is included independently with probability {@code q}.
 *
 * <p>At integer order α the step's RDP is {@code log(A_α)/(α − 1)} with
 * {@code A_α = Σ_k C(α,k) (1−q)^(α−k) q^k exp((k² − k)/(2σ²))}, summed in log space; steps compose
 * by adding RDP, and {@code ε(δ) = min_α (T·RDP(α) + log(1/δ)/(α − 1))} (Mironov 2017, Prop. 3),
 * the conversion TF-Privacy's {@code compute_dp_sgd_privacy} reports. Integer orders 2–256 are
 * searched; fractional orders would only matter for ε above about 20.
 */
public final class RdpAccountant {

  private static final int MAX_ORDER = 256;
  private static final double[] LOG_FACTORIAL = new double[MAX_ORDER + 1];

  static {
    for (int n = 1; n <= MAX_ORDER; n++) {
      LOG_FACTORIAL[n] = LOG_FACTORIAL[n - 1] + Math.log(n);
    }
  }

  private RdpAccountant() {}

  /**
   * ε at {@code delta} and the order that gives it.
   *
   * @param epsilon the privacy loss
   * @param order the Rényi order at which the bound is tightest
   */
  public record Bound(double epsilon, int order) {}

  /** RDP of one step at integer order {@code alpha} ≥ 2, sampling rate {@code q}, noise multiplier {@code sigma}. */
  public static double stepRdp(double q, double sigma, int alpha) {
    check(q, sigma);
    if (alpha < 2 || alpha > MAX_ORDER) {
      throw new IllegalArgumentException("order must be in 2.." + MAX_ORDER + ", got " + alpha);
    }
    if (q == 0) {
      return 0;
    }
    if (q == 1) {
      return alpha / (2 * sigma * sigma);
    }
    return logA(q, sigma, alpha) / (alpha - 1);
  }

  /** ε after {@code steps} steps at {@code delta}, minimised over the orders. */
  public static Bound epsilon(double q, double sigma, long steps, double delta) {
    check(q, sigma);
    if (!(delta > 0 && delta < 1) || steps < 0) {
      throw new IllegalArgumentException("delta must be in (0, 1) and steps >= 0");
    }
    double best = Double.POSITIVE_INFINITY;
    int bestOrder = 2;
    for (int alpha = 2; alpha <= MAX_ORDER; alpha++) {
      double eps = steps * stepRdp(q, sigma, alpha) + Math.log(1 / delta) / (alpha - 1);
      if (eps < best) {
        best = eps;
        bestOrder = alpha;
      }
    }
    return new Bound(best, bestOrder);
  }

  /**
   * The smallest noise multiplier (to 0.1 %) whose ε after {@code steps} steps at {@code delta} is
   * at most {@code targetEpsilon}.
   */
  public static double noiseFor(double targetEpsilon, double q, long steps, double delta) {
    if (!(targetEpsilon > 0)) {
      throw new IllegalArgumentException("target epsilon must be > 0, got " + targetEpsilon);
    }
    double low = 0.1;
    double high = 1;
    while (epsilon(q, high, steps, delta).epsilon() > targetEpsilon) {
      low = high;
      high *= 2;
      if (high > 1e4) {
        throw new IllegalArgumentException("no noise multiplier up to 10000 reaches epsilon " + targetEpsilon);
      }
    }
    while (high - low > 1e-3 * high) {
      double mid = (low + high) / 2;
      if (epsilon(q, mid, steps, delta).epsilon() > targetEpsilon) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return high;
  }

  /** {@code log A_α}: a log-sum-exp over the binomial expansion, so no term overflows. */
  private static double logA(double q, double sigma, int alpha) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double max = Double.NEGATIVE_INFINITY;
    double[] terms = new double[alpha + 1];
    for (int k = 0; k <= alpha; k++) {
      terms[k] = logBinomial(alpha, k) + k * logQ + (alpha - k) * log1mQ + (k * (double) k - k) / (2 * sigma * sigma);
      max = Math.max(max, terms[k]);
    }
    double sum = 0;
    for (double t : terms) {
      sum += Math.exp(t - max);
    }
    return max + Math.log(sum);
  }

  private static double logBinomial(int n, int k) {
    return LOG_FACTORIAL[n] - LOG_FACTORIAL[k] - LOG_FACTORIAL[n - k];
  }

  private static void check(double q, double sigma) {
    if (!(q >= 0 && q <= 1) || !(sigma > 0)) {
      throw new IllegalArgumentException("sampling rate must be in [0, 1] and the noise multiplier > 0");
    }
  }
}
