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
   * One Adam step on {@code length} parameters: {@code m = β₁m + (1−β₁)g}, {@code v = β₂v +
   * (1−β₂)g·g}, {@code p −= lr·(m/c₁) / (√(v/c₂) + ε)}, every operation in this order and rounded
   * as written (no fused multiply-add), so every implementation gives the same bits.
   */
  default void adam(float[] p, int pOffset, float[] m, float[] v, int stateOffset, float[] g, int gOffset,
      int length, float beta1, float beta2, float lr, float c1, float c2, float eps) {
    float k1 = 1 - beta1;
    float k2 = 1 - beta2;
    for (int d = 0; d < length; d++) {
      float gd = g[gOffset + d];
      float md = beta1 * m[stateOffset + d] + k1 * gd;
      float vd = beta2 * v[stateOffset + d] + k2 * gd * gd;
      m[stateOffset + d] = md;
      v[stateOffset + d] = vd;
      p[pOffset + d] -= lr * (md / c1) / ((float) Math.sqrt(vd / c2) + eps);
    }
  }

  /** {@code Σ a[i] · b[i]} over signed bytes, exact in integers (the int8 × int8 dot). */
  default int dotInt8(byte[] a, int aOffset, byte[] b, int bOffset, int length) {
    int s0 = 0, s1 = 0;
    int i = 0;
    for (; i + 1 < length; i += 2) {
      s0 += a[aOffset + i] * b[bOffset + i];
      s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
    }
    for (; i < length; i++) {
      s0 += a[aOffset + i] * b[bOffset + i];
    }
    return s0 + s1;
  }

  /** {@code Σ x[i] · codes[i]}: a float query against one row of int8 codes (scale not applied). */
  default float dotInt8(float[] x, int xOffset, byte[] codes, int codesOffset, int length) {
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
    int i = 0;
    for (; i + 3 < length; i += 4) {
      s0 += x[xOffset + i] * codes[codesOffset + i];
      s1 += x[xOffset + i + 1] * codes[codesOffset + i + 1];
      s2 += x[xOffset + i + 2] * codes[codesOffset + i + 2];
      s3 += x[xOffset + i + 3] * codes[codesOffset + i + 3];
    }
    for (; i < length; i++) {
      s0 += x[xOffset + i] * codes[codesOffset + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * Scores every row of a row-major {@code rows × cols} int8 table with per-row scales against
   * {@code x}: {@code out[r] = scales[r] · Σ_c x[c] · codes[r·cols + c]}.
   */
  default void matVecInt8(byte[] codes, float[] scales, int rows, int cols, float[] x, float[] out) {
    for (int r = 0; r < rows; r++) {
      out[r] = scales[r] * dotInt8(x, 0, codes, r * cols, cols);
    }
  }

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
  /**
   * {@code out = G·v + shift·v} for a symmetric row-major {@code k × k} matrix G (the dense part of
   * the iALS operator, shift λ). The reference: G's rows are its columns, so lane-wise axpys.
   */
  default void symmetricMatVec(float[] g, int k, float[] v, float shift, float[] out) {
    matVecTransposed(g, k, k, v, out);
    axpy(shift, v, 0, out, 0, k);
  }

  /**
   * The sparse part of the iALS operator in one pass over a row's observed entries:
   * {@code out += Σ_n (rhs·(1 + α r_n) + sign·α r_n·(y_n · v)) · y_n} for {@code n} in
   * {@code [start, end)}, where {@code y_n} is row {@code cols[n]} of the row-major {@code table}
   * ({@code k} wide) and {@code r_n = values[n]}. With rhs 0 and sign 1 it adds
   * {@code Σ α r (y·v) y} (the operator applied to v); with rhs 1 and sign −1 it adds
   * {@code b − Σ α r (y·x) y} (the right-hand side folded into the first residual).
   */
  default void confidenceProducts(float[] table, int k, int[] cols, float[] values, int start, int end,
      float alpha, float rhs, float sign, float[] v, int vOffset, float[] out, int outOffset) {
    for (int n = start; n < end; n++) {
      int yo = cols[n] * k;
      float a = alpha * values[n];
      float coefficient = rhs * (1 + a) + sign * a * dot(table, yo, v, vOffset, k);
      axpy(coefficient, table, yo, out, outOffset, k);
    }
  }

  /** {@code Σ_d u[uOffset + d] · (t[iOffset + d] − t[jOffset + d])} for {@code d < k}: BPR's x_uij. */
  default float dotOfDifference(float[] u, int uOffset, float[] t, int iOffset, int jOffset, int k) {
    float s = 0f;
    for (int d = 0; d < k; d++) {
      s += u[uOffset + d] * (t[iOffset + d] - t[jOffset + d]);
    }
    return s;
  }

  /**
   * One pairwise SGD step on a user row p and two item rows q_i, q_j of {@code t}, every new value
   * from the old ones: {@code p += step·(q_i − q_j) − decay·p}, {@code q_i += step·p − decay·q_i},
   * {@code q_j += −step·p − decay·q_j} (BPR with step = lr·σ(−x), decay = lr·λ).
   */
  default void pairwiseStep(float[] u, int uOffset, float[] t, int iOffset, int jOffset, int k, float step,
      float decay) {
    for (int d = 0; d < k; d++) {
      float pu = u[uOffset + d];
      float qi = t[iOffset + d];
      float qj = t[jOffset + d];
      u[uOffset + d] = pu + (step * (qi - qj) - decay * pu);
      t[iOffset + d] = qi + (step * pu - decay * qi);
      t[jOffset + d] = qj + (-step * pu - decay * qj);
    }
  }

  /**
   * Row-major matrix product {@code C (+)= A · B}: A is {@code m × k} at {@code aOffset}, B is
   * {@code k × n} at {@code bOffset}, C is {@code m × n} at {@code cOffset}; C is overwritten
   * unless {@code accumulate}. The plain reference loop (i, p, j order so the inner loop is an
   * axpy over a row of B and a row of C).
   */
  default void matMul(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset,
      int m, int k, int n, boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(c, cOffset, cOffset + m * n, 0f);
    }
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        axpy(a[aOffset + i * k + p], b, bOffset + p * n, c, cOffset + i * n, n);
      }
    }
  }

  /**
   * {@code C (+)= A · Bᵀ}: A is {@code m × k}, B is {@code n × k} (so each C element is a dot of
   * two rows), C is {@code m × n}.
   */
  default void matMulTransB(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset,
      int m, int k, int n, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float d = dot(a, aOffset + i * k, b, bOffset + j * k, k);
        c[cOffset + i * n + j] = accumulate ? c[cOffset + i * n + j] + d : d;
      }
    }
  }

  /**
   * {@code C (+)= Aᵀ · B}: A is {@code k × m}, B is {@code k × n}, C is {@code m × n} (the weight
   * gradient of a linear layer: inputs transposed times output gradients).
   */
  default void matMulTransA(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset,
      int m, int k, int n, boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(c, cOffset, cOffset + m * n, 0f);
    }
    for (int p = 0; p < k; p++) {
      for (int i = 0; i < m; i++) {
        axpy(a[aOffset + p * m + i], b, bOffset + p * n, c, cOffset + i * n, n);
      }
    }
  }
}
