package io.perennial.kernel;

/**
 * Direct access to each kernel implementation for benchmarks, bypassing the facade's choice.
 * Not for production code: use {@link VectorOps}.
 */
public final class KernelBench {
  private KernelBench() {}

  /** Dot product on the scalar path. */
  public static float scalarDot(float[] a, float[] b) {
    return VectorOps.scalar().dot(a, 0, b, 0, a.length);
  }

  /** Dot product on the vector path; falls back to scalar when the module is absent. */
  public static float vectorDot(float[] a, float[] b) {
    Kernels k = VectorOps.vectorOrNull();
    return (k == null ? VectorOps.scalar() : k).dot(a, 0, b, 0, a.length);
  }

  /** Matrix-vector scoring on the scalar path. */
  public static void scalarMatVec(float[] m, int rows, int cols, float[] x, float[] out) {
    VectorOps.scalar().matVec(m, rows, cols, x, out);
  }

  /** Matrix-vector scoring on the vector path (scalar when absent). */
  public static void vectorMatVec(float[] m, int rows, int cols, float[] x, float[] out) {
    Kernels k = VectorOps.vectorOrNull();
    (k == null ? VectorOps.scalar() : k).matVec(m, rows, cols, x, out);
  }

  /** Transposed-layout scoring on the scalar path. */
  public static void scalarMatVecTransposed(float[] m, int rows, int cols, float[] x, float[] out) {
    VectorOps.scalar().matVecTransposed(m, rows, cols, x, out);
  }

  /** Transposed-layout scoring on the vector path (scalar when absent). */
  public static void vectorMatVecTransposed(float[] m, int rows, int cols, float[] x, float[] out) {
    Kernels k = VectorOps.vectorOrNull();
    (k == null ? VectorOps.scalar() : k).matVecTransposed(m, rows, cols, x, out);
  }

  /** axpy on the scalar path. */
  public static void scalarAxpy(float alpha, float[] x, float[] y) {
    VectorOps.scalar().axpy(alpha, x, 0, y, 0, x.length);
  }

  /** axpy on the vector path (scalar when absent). */
  public static void vectorAxpy(float alpha, float[] x, float[] y) {
    Kernels k = VectorOps.vectorOrNull();
    (k == null ? VectorOps.scalar() : k).axpy(alpha, x, 0, y, 0, x.length);
  }

  private static Kernels path(boolean vector) {
    Kernels k = vector ? VectorOps.vectorOrNull() : null;
    return k == null ? VectorOps.scalar() : k;
  }

  /** {@code C = A·B} (A m × k, B k × n) on the vector path, or the scalar one. */
  public static void matMul(boolean vector, float[] a, float[] b, float[] c, int m, int k, int n) {
    path(vector).matMul(a, 0, b, 0, c, 0, m, k, n, false);
  }

  /** {@code C = A·Bᵀ} (A m × k, B n × k) on the vector path (packed Bᵀ), or the scalar one. */
  public static void matMulTransB(boolean vector, float[] a, float[] b, float[] c, int m, int k, int n) {
    path(vector).matMulTransB(a, 0, b, 0, c, 0, m, k, n, false);
  }

  /**
   * {@code C = A·Bᵀ} as one vector dot product per element, the alternative to packing Bᵀ that the
   * benchmark measures it against.
   */
  public static void matMulTransBByDots(float[] a, float[] b, float[] c, int m, int k, int n) {
    Kernels kernels = path(true);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        c[i * n + j] = kernels.dot(a, i * k, b, j * k, k);
      }
    }
  }

  /**
   * {@code C = A·Bᵀ} by 2 × 4 blocks of vector dot products (eight accumulators, then horizontal
   * sums), the other alternative to packing; needs the vector module.
   */
  public static void matMulTransBByDotTiles(float[] a, float[] b, float[] c, int m, int k, int n) {
    SimdKernels.matMulTransBByDotTiles(a, b, c, m, k, n);
  }

  /** {@code C = Aᵀ·B} (A k × m, B k × n) on the vector path, or the scalar one. */
  public static void matMulTransA(boolean vector, float[] a, float[] b, float[] c, int m, int k, int n) {
    path(vector).matMulTransA(a, 0, b, 0, c, 0, m, k, n, false);
  }

  /** The iALS sparse pass over {@code cols} on the chosen path (scalar when the module is absent). */
  public static void confidenceProducts(boolean vector, float[] table, int k, int[] cols, float[] values,
      float[] v, float[] out) {
    path(vector).confidenceProducts(table, k, cols, values, 0, cols.length, 2f, 0f, 1f, v, 0, out, 0);
  }

  /** {@code out = G v + λ v} for a symmetric k × k G on the chosen path. */
  public static void symmetricMatVec(boolean vector, float[] g, int k, float[] v, float[] out) {
    path(vector).symmetricMatVec(g, k, v, 35f, out);
  }

  /** One BPR step (x_uij, then the pairwise update) on rows 0 of {@code u} and i, j of {@code t}. */
  public static float bprStep(boolean vector, float[] u, float[] t, int i, int j, int k) {
    Kernels kernels = path(vector);
    float x = kernels.dotOfDifference(u, 0, t, i * k, j * k, k);
    kernels.pairwiseStep(u, 0, t, i * k, j * k, k, 1e-4f * (float) (1 / (1 + Math.exp(x))), 1e-6f);
    return x;
  }
}
