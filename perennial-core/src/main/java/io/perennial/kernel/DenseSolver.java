package io.perennial.kernel;

/**
 * Small dense linear solves for the factor models: a Cholesky solve for symmetric positive-definite
 * systems, and a few conjugate-gradient steps for the implicit-ALS update where an approximate,
 * warm-started solution is enough (Takács, Pilászy and Tikk, "Applications of the conjugate gradient
 * method for implicit feedback collaborative filtering", RecSys 2011).
 */
public final class DenseSolver {

  private DenseSolver() {}

  /**
   * Solves {@code A x = b} in place for a symmetric positive-definite row-major {@code n × n} matrix.
   * {@code a} is overwritten by its Cholesky factor and {@code b} by the solution.
   *
   * @throws ArithmeticException if the matrix is not positive definite
   */
  public static void choleskySolve(double[] a, double[] b, int n) {
    if (a.length < n * n || b.length < n) {
      throw new IllegalArgumentException("system arrays too small for n=" + n);
    }
    // A = L L^T, L stored in the lower triangle of a.
    for (int j = 0; j < n; j++) {
      double diag = a[j * n + j];
      for (int k = 0; k < j; k++) {
        diag -= a[j * n + k] * a[j * n + k];
      }
      if (!(diag > 0)) {
        throw new ArithmeticException("matrix is not positive definite at column " + j);
      }
      double ljj = Math.sqrt(diag);
      a[j * n + j] = ljj;
      for (int i = j + 1; i < n; i++) {
        double s = a[i * n + j];
        for (int k = 0; k < j; k++) {
          s -= a[i * n + k] * a[j * n + k];
        }
        a[i * n + j] = s / ljj;
      }
    }
    // forward: L y = b
    for (int i = 0; i < n; i++) {
      double s = b[i];
      for (int k = 0; k < i; k++) {
        s -= a[i * n + k] * b[k];
      }
      b[i] = s / a[i * n + i];
    }
    // backward: L^T x = y
    for (int i = n - 1; i >= 0; i--) {
      double s = b[i];
      for (int k = i + 1; k < n; k++) {
        s -= a[k * n + i] * b[k];
      }
      b[i] = s / a[i * n + i];
    }
  }

  /** A symmetric positive-definite operator {@code out = A v}, applied without forming A. */
  @FunctionalInterface
  public interface SymmetricOperator {
    void apply(float[] v, float[] out);
  }

  /**
   * Runs at most {@code steps} conjugate-gradient iterations on {@code A x = b}, starting from the
   * current contents of {@code x} (warm start). Stops early when the squared residual falls below
   * {@code tolerance}. Scratch arrays must have length {@code n}; nothing is allocated.
   *
   * @return the number of iterations run
   */
  public static int conjugateGradient(
      SymmetricOperator a,
      float[] b,
      float[] x,
      int n,
      int steps,
      float tolerance,
      float[] residual,
      float[] direction,
      float[] ad) {
    // r = b - A x ; p = r
    a.apply(x, ad);
    for (int i = 0; i < n; i++) {
      residual[i] = b[i] - ad[i];
      direction[i] = residual[i];
    }
    float rsOld = VectorOps.dot(residual, 0, residual, 0, n);
    int it = 0;
    for (; it < steps && rsOld > tolerance; it++) {
      a.apply(direction, ad);
      float pAp = VectorOps.dot(direction, 0, ad, 0, n);
      if (!(pAp > 0)) {
        break;
      }
      float alpha = rsOld / pAp;
      VectorOps.axpy(alpha, direction, 0, x, 0, n);
      VectorOps.axpy(-alpha, ad, 0, residual, 0, n);
      float rsNew = VectorOps.dot(residual, 0, residual, 0, n);
      // p = r + (rsNew / rsOld) p
      VectorOps.scaledAdd(rsNew / rsOld, direction, 0, 1f, residual, 0, n);
      rsOld = rsNew;
    }
    return it;
  }
}
