package io.perennial.privacy;

import java.util.SplittableRandom;

/**
 * Poisson sampling of a DP-SGD batch, the sampling the {@link RdpAccountant} assumes: each of
 * {@code n} examples joins the batch independently with probability {@code q}, so the batch size
 * varies. Walked by geometric gaps, so a step costs the batch, not {@code n} coin flips.
 */
public final class PoissonSampling {

  private PoissonSampling() {}

  /**
   * The next example after {@code previous} (start from −1) in a sample of rate {@code q} over
   * {@code 0..n)}; {@code n} when the sample is exhausted.
   */
  public static int next(int previous, double q, int n, SplittableRandom random) {
    if (q >= 1) {
      return previous + 1;
    }
    double gap = Math.floor(Math.log(1 - random.nextDouble()) / Math.log1p(-q));
    return gap >= n ? n : (int) Math.min(n, previous + 1 + (long) gap);
  }
}
