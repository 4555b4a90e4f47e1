package io.perennial.kernel;

/**
 * One implementation of the hot loops. Arguments are already checked by {@link VectorOps}; an
 * implementation may assume every index range is valid.
 */
interface Kernels {

  /** Human-readable name for logs and benchmark reports. */
  String name();

  float dot(float[] a, int aOffset, float[] b, int bOffset, int length);

  /** {@code Σ (a[i] - b[i])²}. */
  default float squaredDistance(float[] a, int aOffset, float[] b, int bOffset, int length) {
    float s0 = 0f, s1 = 0f;
    int i = 0;
    for (; i + 1 < length; i += 2) {
      float d0 = a[aOffset + i] - b[bOffset + i];
      float d1 = a[aOffset + i + 1] - b[bOffset + i + 1];
      s0 += d0 * d0;
      s1 += d1 * d1;
    }
    for (; i < length; i++) {
      float d = a[aOffset + i] - b[bOffset + i];
      s0 += d * d;
    }
    return s0 + s1;
  }

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
  default void matVec(float[] matrix, int rows, int cols, float[] x, float[] out) {
    for (int r = 0; r < rows; r++) {
      out[r] = dot(matrix, r * cols, x, 0, cols);
    }
  }

  /**
   * The same product from the transposed (column-major) matrix: {@code columns[c*rows + r]} is
   * element (r, c). Scores a whole catalogue with lane-wise FMAs only.
   */
  default void matVecTransposed(float[] columns, int rows, int cols, float[] x, float[] out) {
    matVecTransposed(columns, rows, rows, cols, x, out);
  }

  /**
   * As {@link #matVecTransposed(float[], int, int, float[], float[])} with column {@code c} starting
   * at {@code c * stride}: a table with room for more rows, which can grow without being rebuilt.
   */
  default void matVecTransposed(float[] columns, int stride, int rows, int cols, float[] x, float[] out) {
    // out = Σ_c x[c] · column_c: lane-wise multiply-adds over the rows, no horizontal reductions.
    java.util.Arrays.fill(out, 0, rows, 0f);
    for (int c = 0; c < cols; c++) {
      axpy(x[c], columns, c * stride, out, 0, rows);
    }
  }
}
