package io.perennial.kernel;

/**
 * One implementation of the hot loops. Arguments are already checked by {@link VectorOps}; an
 * implementation may assume every index range is valid.
 */
interface Kernels {

  /** Human-readable name for logs and benchmark reports. */
  String name();

  float dot(float[] a, int aOffset, float[] b, int bOffset, int length);

  /** {@code y[i] += alpha * x[i]}. */
  void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int length);

  /** {@code y[i] = beta * y[i] + alpha * x[i]}. */
  void scaledAdd(float beta, float[] y, int yOffset, float alpha, float[] x, int xOffset, int length);

  /** {@code x[i] *= alpha}. */
  void scale(float alpha, float[] x, int offset, int length);

  /**
   * Row-major matrix times vector: {@code out[r] = dot(matrix[r*cols .. r*cols+cols), x)} for
   * {@code r in [0, rows)}.
   */
  void matVec(float[] matrix, int rows, int cols, float[] x, float[] out);

  /**
   * The same product from the transposed (column-major) matrix: {@code columns[c*rows + r]} is
   * element (r, c). Scores a whole catalogue with lane-wise FMAs only.
   */
  void matVecTransposed(float[] columns, int rows, int cols, float[] x, float[] out);
}
