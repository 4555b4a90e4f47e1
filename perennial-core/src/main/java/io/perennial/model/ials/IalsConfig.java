package io.perennial.model.ials;

/**
 * @param factors latent dimensions
 * @param iterations alternating passes (users then items)
 * @param regularization λ, the L2 penalty on every row
 * @param alpha confidence slope: {@code c_ui = 1 + alpha · r_ui}
 * @param cgSteps conjugate-gradient steps per row solve (warm-started from the previous value)
 * @param initScale standard deviation of the initial factors
 * @param threads worker threads (the result does not depend on it)
 * @param seed RNG seed for the initial factors
 * @param onlineCgSteps conjugate-gradient steps per row when learning one event online
 * @param gramRefreshEvents online events between full recomputations of the Gram matrices (in
 *     between they are kept exact by rank-one updates; the refresh clears float drift)
 * @param recencyDecay when learning online, each new event of a user multiplies the confidence of
 *     the user's earlier interactions by this (1 = off): recent behaviour defines current taste
 */
public record IalsConfig(
    int factors,
    int iterations,
    float regularization,
    float alpha,
    int cgSteps,
    float initScale,
    int threads,
    long seed,
    int onlineCgSteps,
    int gramRefreshEvents,
    float recencyDecay) {

  public IalsConfig {
    if (factors < 1 || iterations < 0 || cgSteps < 1 || threads < 1 || onlineCgSteps < 1
        || gramRefreshEvents < 1 || !(recencyDecay > 0) || recencyDecay > 1) {
      throw new IllegalArgumentException("factors, cgSteps and threads must be >= 1, iterations >= 0");
    }
    if (!(regularization > 0) || alpha < 0 || initScale < 0) {
      throw new IllegalArgumentException("regularization must be > 0, alpha and initScale >= 0");
    }
  }

  /** Tuned on ml-latest-small, implicit, user-temporal 80/20 (see docs/BENCHMARKS.md). */
  public static IalsConfig defaults() {
    return new IalsConfig(64, 15, 35f, 2f, 3, 0.01f, Runtime.getRuntime().availableProcessors(), 42L,
        2, 10_000, 1f);
  }
}
