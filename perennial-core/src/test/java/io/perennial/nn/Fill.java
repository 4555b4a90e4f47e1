package io.perennial.nn;

import java.util.SplittableRandom;

/** Seeded random test arrays and the projection loss used by the layer gradient checks. */
final class Fill {
  private Fill() {}

  static float[] uniform(int n, float bound, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    return a;
  }

  /** {@code L = Σ r_i · y_i}: a scalar whose gradient with respect to y is exactly r. */
  static double project(float[] y, int off, float[] r) {
    double s = 0;
    for (int i = 0; i < r.length; i++) {
      s += (double) r[i] * y[off + i];
    }
    return s;
  }
}
