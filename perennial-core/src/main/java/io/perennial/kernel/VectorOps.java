package io.perennial.kernel;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Public facade over the hot loops. Every method checks its arguments, then calls the one
 * implementation chosen at class initialisation.
 *
 * <p>The implementation is the {@code jdk.incubator.vector} path when that module is in the boot
 * layer and the system property {@code perennial.kernel} is not {@code scalar}; otherwise the scalar
 * path, with the reason logged once.
 */
public final class VectorOps {

  private static final Logger LOG = LoggerFactory.getLogger(VectorOps.class);
  private static final Kernels SCALAR = new ScalarKernels();
  private static final Kernels VECTOR = loadVectorKernels();
  private static final Kernels IMPL = chooseImplementation();

  private VectorOps() {}

  /** Name of the implementation in use, e.g. {@code "vector(256-bit, 8 lanes)"} or {@code "scalar"}. */
  public static String implementationName() {
    return IMPL.name();
  }

  /** Whether the vector path is in use. */
  public static boolean isVectorized() {
    return IMPL != SCALAR;
  }

  public static float dot(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("length mismatch: " + a.length + " != " + b.length);
    }
    return IMPL.dot(a, 0, b, 0, a.length);
  }

  public static float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
    Objects.checkFromIndexSize(aOffset, length, a.length);
    Objects.checkFromIndexSize(bOffset, length, b.length);
    return IMPL.dot(a, aOffset, b, bOffset, length);
  }

  /** {@code y[yOffset + i] += alpha * x[xOffset + i]} for {@code i < length}. */
  public static void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int length) {
    Objects.checkFromIndexSize(xOffset, length, x.length);
    Objects.checkFromIndexSize(yOffset, length, y.length);
    IMPL.axpy(alpha, x, xOffset, y, yOffset, length);
  }

  /** {@code y[yOffset + i] = beta * y[yOffset + i] + alpha * x[xOffset + i]}. */
  public static void scaledAdd(
      float beta, float[] y, int yOffset, float alpha, float[] x, int xOffset, int length) {
    Objects.checkFromIndexSize(xOffset, length, x.length);
    Objects.checkFromIndexSize(yOffset, length, y.length);
    IMPL.scaledAdd(beta, y, yOffset, alpha, x, xOffset, length);
  }

  /** One Adam step on {@code length} parameters (see {@link Kernels#adam}). */
  public static void adam(float[] p, int pOffset, float[] m, float[] v, int stateOffset, float[] g, int gOffset,
      int length, float beta1, float beta2, float lr, float c1, float c2, float eps) {
    Objects.checkFromIndexSize(pOffset, length, p.length);
    Objects.checkFromIndexSize(stateOffset, length, m.length);
    Objects.checkFromIndexSize(stateOffset, length, v.length);
    Objects.checkFromIndexSize(gOffset, length, g.length);
    IMPL.adam(p, pOffset, m, v, stateOffset, g, gOffset, length, beta1, beta2, lr, c1, c2, eps);
  }

  /** {@code x[offset + i] *= alpha}. */
  public static void scale(float alpha, float[] x, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, x.length);
    IMPL.scale(alpha, x, offset, length);
  }

  /** {@code Σ (a[aOffset + i] - b[bOffset + i])²} for {@code i < length}. */
  public static float squaredDistance(float[] a, int aOffset, float[] b, int bOffset, int length) {
    Objects.checkFromIndexSize(aOffset, length, a.length);
    Objects.checkFromIndexSize(bOffset, length, b.length);
    return IMPL.squaredDistance(a, aOffset, b, bOffset, length);
  }

  /** Euclidean norm of {@code x[offset, offset + length)}. */
  public static float norm(float[] x, int offset, int length) {
    return (float) Math.sqrt(dot(x, offset, x, offset, length));
  }

  /** {@code Σ a[aOffset + i] · b[bOffset + i]} over signed bytes, exact (int8 codes of two rows). */
  public static int dotInt8(byte[] a, int aOffset, byte[] b, int bOffset, int length) {
    Objects.checkFromIndexSize(aOffset, length, a.length);
    Objects.checkFromIndexSize(bOffset, length, b.length);
    return IMPL.dotInt8(a, aOffset, b, bOffset, length);
  }

  /** {@code Σ x[xOffset + i] · codes[codesOffset + i]}: a float query against unscaled int8 codes. */
  public static float dotInt8(float[] x, int xOffset, byte[] codes, int codesOffset, int length) {
    Objects.checkFromIndexSize(xOffset, length, x.length);
    Objects.checkFromIndexSize(codesOffset, length, codes.length);
    return IMPL.dotInt8(x, xOffset, codes, codesOffset, length);
  }

  /**
   * Scores every row of a row-major {@code rows × cols} int8 table with per-row scales: {@code
   * out[r] = scales[r] · (x · codes[r])} (see {@link Int8Table}).
   */
  public static void matVecInt8(byte[] codes, float[] scales, int rows, int cols, float[] x, float[] out) {
    if ((long) rows * cols > codes.length || scales.length < rows) {
      throw new IllegalArgumentException(
          "int8 table holds " + codes.length + " codes and " + scales.length + " scales, not " + rows + "×" + cols);
    }
    if (x.length < cols || out.length < rows) {
      throw new IllegalArgumentException("vector or output too short for " + rows + "×" + cols);
    }
    IMPL.matVecInt8(codes, scales, rows, cols, x, out);
  }

  /**
   * Scores every row of a row-major {@code rows × cols} matrix against {@code x}: {@code out[r] =
   * matrix[r] · x}.
   */
  public static void matVec(float[] matrix, int rows, int cols, float[] x, float[] out) {
    if ((long) rows * cols > matrix.length) {
      throw new IllegalArgumentException(
          "matrix holds " + matrix.length + " floats, not " + rows + "×" + cols);
    }
    if (x.length < cols || out.length < rows) {
      throw new IllegalArgumentException("vector or output too short for " + rows + "×" + cols);
    }
    IMPL.matVec(matrix, rows, cols, x, out);
  }

  /**
   * As {@link #matVec} from the transposed matrix ({@code columns[c*rows + r]} is element (r, c)),
   * the faster layout for scoring every item: see {@link #transpose}.
   */
  public static void matVecTransposed(float[] columns, int rows, int cols, float[] x, float[] out) {
    if ((long) rows * cols > columns.length) {
      throw new IllegalArgumentException(
          "matrix holds " + columns.length + " floats, not " + rows + "×" + cols);
    }
    if (x.length < cols || out.length < rows) {
      throw new IllegalArgumentException("vector or output too short for " + rows + "×" + cols);
    }
    IMPL.matVecTransposed(columns, rows, cols, x, out);
  }

  /** As {@link #matVecTransposed(float[], int, int, float[], float[])} with column {@code c} at {@code c * stride}. */
  public static void matVecTransposed(float[] columns, int stride, int rows, int cols, float[] x, float[] out) {
    if (stride < rows || (long) stride * cols > columns.length) {
      throw new IllegalArgumentException(
          "matrix holds " + columns.length + " floats, not " + cols + " columns of stride " + stride + " ≥ " + rows);
    }
    if (x.length < cols || out.length < rows) {
      throw new IllegalArgumentException("vector or output too short for " + rows + "×" + cols);
    }
    IMPL.matVecTransposed(columns, stride, rows, cols, x, out);
  }

  /** {@code Σ_d u[uOffset + d] · (t[iOffset + d] − t[jOffset + d])} for {@code d < k}. */
  public static float dotOfDifference(float[] u, int uOffset, float[] t, int iOffset, int jOffset, int k) {
    Objects.checkFromIndexSize(uOffset, k, u.length);
    Objects.checkFromIndexSize(iOffset, k, t.length);
    Objects.checkFromIndexSize(jOffset, k, t.length);
    return IMPL.dotOfDifference(u, uOffset, t, iOffset, jOffset, k);
  }

  /**
   * One pairwise SGD step, every new value from the old ones: {@code p += step·(q_i − q_j) −
   * decay·p}, {@code q_i += step·p − decay·q_i}, {@code q_j += −step·p − decay·q_j}, for the
   * {@code k}-wide rows at {@code uOffset} of {@code u} and {@code iOffset}, {@code jOffset} of
   * {@code t} (which must not overlap).
   */
  public static void pairwiseStep(float[] u, int uOffset, float[] t, int iOffset, int jOffset, int k, float step,
      float decay) {
    Objects.checkFromIndexSize(uOffset, k, u.length);
    Objects.checkFromIndexSize(iOffset, k, t.length);
    Objects.checkFromIndexSize(jOffset, k, t.length);
    IMPL.pairwiseStep(u, uOffset, t, iOffset, jOffset, k, step, decay);
  }

  /**
   * {@code out = G·v + shift·v} for a symmetric row-major {@code k × k} G: register-blocked on the
   * vector path (a block of {@code out} stays in registers while every column of G streams past).
   */
  public static void symmetricMatVec(float[] g, int k, float[] v, float shift, float[] out) {
    Objects.checkFromIndexSize(0, Math.multiplyExact(k, k), g.length);
    Objects.checkFromIndexSize(0, k, v.length);
    Objects.checkFromIndexSize(0, k, out.length);
    IMPL.symmetricMatVec(g, k, v, shift, out);
  }

  /**
   * {@code out[outOffset..+k) += Σ_n (rhs·(1 + α·values[n]) + sign·α·values[n]·(y_n · v)) · y_n} over
   * {@code n ∈ [start, end)}, {@code y_n} being row {@code cols[n]} of the row-major {@code k}-wide
   * {@code table}: the iALS operator's sparse part (rhs 0, sign 1) or its first residual (rhs 1,
   * sign −1) in one pass, each entry's row loaded once for its dot product and its update. A column
   * outside the table throws {@link IndexOutOfBoundsException}.
   */
  public static void confidenceProducts(float[] table, int k, int[] cols, float[] values, int start, int end,
      float alpha, float rhs, float sign, float[] v, int vOffset, float[] out, int outOffset) {
    Objects.checkFromToIndex(start, end, cols.length);
    Objects.checkFromToIndex(start, end, values.length);
    Objects.checkFromIndexSize(vOffset, k, v.length);
    Objects.checkFromIndexSize(outOffset, k, out.length);
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1");
    }
    IMPL.confidenceProducts(table, k, cols, values, start, end, alpha, rhs, sign, v, vOffset, out, outOffset);
  }

  /**
   * Row-major {@code C (+)= A · B} with A {@code m × k}, B {@code k × n} and C {@code m × n}, each
   * starting at its offset; C is overwritten unless {@code accumulate}.
   */
  public static void matMul(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset,
      int m, int k, int n, boolean accumulate) {
    checkMatrices(a, aOffset, m, k, b, bOffset, k, n, c, cOffset, m, n);
    IMPL.matMul(a, aOffset, b, bOffset, c, cOffset, m, k, n, accumulate);
  }

  /** Row-major {@code C (+)= A · Bᵀ} with A {@code m × k}, B {@code n × k} and C {@code m × n}. */
  public static void matMulTransB(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset,
      int m, int k, int n, boolean accumulate) {
    checkMatrices(a, aOffset, m, k, b, bOffset, n, k, c, cOffset, m, n);
    IMPL.matMulTransB(a, aOffset, b, bOffset, c, cOffset, m, k, n, accumulate);
  }

  /** Row-major {@code C (+)= Aᵀ · B} with A {@code k × m}, B {@code k × n} and C {@code m × n}. */
  public static void matMulTransA(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset,
      int m, int k, int n, boolean accumulate) {
    checkMatrices(a, aOffset, k, m, b, bOffset, k, n, c, cOffset, m, n);
    IMPL.matMulTransA(a, aOffset, b, bOffset, c, cOffset, m, k, n, accumulate);
  }

  private static void checkMatrices(float[] a, int aOffset, int aRows, int aCols, float[] b, int bOffset,
      int bRows, int bCols, float[] c, int cOffset, int cRows, int cCols) {
    if (aRows < 0 || aCols < 0 || bCols < 0) {
      throw new IllegalArgumentException("negative matrix size");
    }
    Objects.checkFromIndexSize(aOffset, Math.multiplyExact(aRows, aCols), a.length);
    Objects.checkFromIndexSize(bOffset, Math.multiplyExact(bRows, bCols), b.length);
    Objects.checkFromIndexSize(cOffset, Math.multiplyExact(cRows, cCols), c.length);
  }

  /** Column-major copy of a row-major {@code rows × cols} matrix. */
  public static float[] transpose(float[] matrix, int rows, int cols) {
    float[] t = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = matrix[r * cols + c];
      }
    }
    return t;
  }

  /** The scalar reference, for parity tests and benchmarks. */
  static Kernels scalar() {
    return SCALAR;
  }

  /** The vector path, or {@code null} when the module is absent. For parity tests and benchmarks. */
  static Kernels vectorOrNull() {
    return VECTOR;
  }

  private static Kernels loadVectorKernels() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    try {
      return (Kernels)
          Class.forName("io.perennial.kernel.SimdKernels").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      LOG.warn("vector kernels failed to load ({}); using the scalar path", e.toString());
      return null;
    }
  }

  private static Kernels chooseImplementation() {
    String forced = System.getProperty("perennial.kernel", "");
    if (forced.equalsIgnoreCase("scalar")) {
      LOG.info("kernels: scalar (forced by -Dperennial.kernel=scalar)");
      return SCALAR;
    }
    if (VECTOR == null) {
      LOG.info(
          "kernels: scalar (module jdk.incubator.vector not present; "
              + "run with --add-modules jdk.incubator.vector for the vector path)");
      return SCALAR;
    }
    LOG.debug("kernels: {}", VECTOR.name());
    return VECTOR;
  }
}
