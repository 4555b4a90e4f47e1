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
 */
public record IalsConfig(
    int factors,
    int iterations,
    float regularization,
    float alpha,
    int cgSteps,
    float initScale,
    int threads,
    long seed) {

  public IalsConfig {
    if (factors < 1 || iterations < 0 || cgSteps < 1 || threads < 1) {
      throw new IllegalArgumentException("factors, cgSteps and threads must be >= 1, iterations >= 0");
    }
    if (!(regularization > 0) || alpha < 0 || initScale < 0) {
      throw new IllegalArgumentException("regularization must be > 0, alpha and initScale >= 0");
    }
  }

  /** Tuned on ml-latest-small, implicit, user-temporal 80/20 (see docs/BENCHMARKS.md). */
  public static IalsConfig defaults() {
    return new IalsConfig(64, 15, 35f, 2f, 3, 0.01f, Runtime.getRuntime().availableProcessors(), 42L);
  }
}
