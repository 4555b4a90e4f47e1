package io.perennial.kernel;

import java.util.Arrays;
import java.util.Objects;

/**
 * A row-major table of {@code rows × dims} floats stored as signed 8-bit codes with one float scale
 * per row: {@code value(r, d) ≈ scales[r] · codes[r·dims + d]}. Symmetric per-row scaling ({@code
 * scale = max|row| / 127}) keeps every row's direction to within half a step per element whatever
 * the spread of norms between rows, which a single scale for the table would not (popular items
 * have long rows, tail items short ones). One byte per element plus four per row: a quarter of the
 * float table, and scoring reads a quarter of the memory.
 */
public final class Int8Table {

  /** Largest code magnitude; -128 is never used so the codes are symmetric around zero. */
  public static final int MAX_CODE = 127;

  private final int rows;
  private final int dims;
  private final byte[] codes;
  private final float[] scales;

  /**
   * Wraps existing codes and scales (e.g. read from a checkpoint).
   *
   * @throws IllegalArgumentException when the arrays do not hold {@code rows × dims} codes and
   *     {@code rows} finite, non-negative scales
   */
  public Int8Table(int rows, int dims, byte[] codes, float[] scales) {
    if (rows < 0 || dims <= 0) {
      throw new IllegalArgumentException("bad int8 table shape " + rows + "×" + dims);
    }
    if (codes.length != (long) rows * dims || scales.length != rows) {
      throw new IllegalArgumentException("int8 table of " + rows + "×" + dims + " has "
          + codes.length + " codes and " + scales.length + " scales");
    }
    for (int r = 0; r < rows; r++) {
      if (!(scales[r] >= 0) || !Float.isFinite(scales[r])) {
        throw new IllegalArgumentException("int8 table row " + r + " has scale " + scales[r]);
      }
    }
    this.rows = rows;
    this.dims = dims;
    this.codes = codes;
    this.scales = scales;
  }

  /**
   * Quantises the first {@code rows} rows of a row-major float table.
   *
   * @throws IllegalArgumentException when a value is not finite (a diverged model is not worth
   *     compressing, and NaN has no code)
   */
  public static Int8Table quantize(float[] table, int rows, int dims) {
    Objects.checkFromIndexSize(0, Math.multiplyExact(rows, dims), table.length);
    byte[] codes = new byte[rows * dims];
    float[] scales = new float[rows];
    for (int r = 0; r < rows; r++) {
      scales[r] = quantizeRow(table, r * dims, dims, codes, r * dims);
    }
    return new Int8Table(rows, dims, codes, scales);
  }

  /** Writes the codes of one row and returns its scale ({@code 0} for an all-zero row). */
  private static float quantizeRow(float[] values, int offset, int dims, byte[] codes, int codesOffset) {
    float maxAbs = 0;
    for (int d = 0; d < dims; d++) {
      float v = values[offset + d];
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException("cannot quantise a non-finite value (" + v + ") at element " + (offset + d));
      }
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    if (maxAbs == 0) {
      Arrays.fill(codes, codesOffset, codesOffset + dims, (byte) 0);
      return 0;
    }
    float scale = maxAbs / MAX_CODE;
    float inverse = MAX_CODE / maxAbs;
    for (int d = 0; d < dims; d++) {
      int code = Math.round(values[offset + d] * inverse);
      codes[codesOffset + d] = (byte) Math.max(-MAX_CODE, Math.min(MAX_CODE, code));
    }
    return scale;
  }

  public int rows() {
    return rows;
  }

  public int dims() {
    return dims;
  }

  /** The codes, row-major. Live: do not modify. */
  public byte[] codes() {
    return codes;
  }

  /** One scale per row. Live: do not modify. */
  public float[] scales() {
    return scales;
  }

  /** Bytes the table holds: one per code and four per scale. */
  public long bytes() {
    return codes.length + 4L * scales.length;
  }

  /** Element {@code (row, d)} as the table represents it. */
  public float value(int row, int d) {
    return scales[row] * codes[row * dims + d];
  }

  /** The float table this one stands for ({@code rows × dims}, row-major). */
  public float[] dequantize() {
    float[] out = new float[rows * dims];
    for (int r = 0; r < rows; r++) {
      dequantizeRow(r, out, r * dims);
    }
    return out;
  }

  /** Writes row {@code row}'s values into {@code out[offset, offset + dims)}. */
  public void dequantizeRow(int row, float[] out, int offset) {
    float scale = scales[row];
    for (int d = 0; d < dims; d++) {
      out[offset + d] = scale * codes[row * dims + d];
    }
  }

  /** {@code query · row}, the query in floats (asymmetric: only the table is quantised). */
  public float dot(int row, float[] query, int queryOffset) {
    Objects.checkIndex(row, rows);
    return scales[row] * VectorOps.dotInt8(query, queryOffset, codes, row * dims, dims);
  }

  /** {@code row · otherRow} of two int8 tables of the same width, by the exact integer dot of codes. */
  public float dot(int row, Int8Table other, int otherRow) {
    if (other.dims != dims) {
      throw new IllegalArgumentException("dims differ: " + dims + " != " + other.dims);
    }
    Objects.checkIndex(row, rows);
    Objects.checkIndex(otherRow, other.rows);
    return scales[row] * other.scales[otherRow]
        * VectorOps.dotInt8(codes, row * dims, other.codes, otherRow * dims, dims);
  }

  /** {@code out[r] = query · row r} for the first {@code count} rows. */
  public void scoreRows(float[] query, int count, float[] out) {
    VectorOps.matVecInt8(codes, scales, count, dims, query, out);
  }

  /**
   * The largest error a round trip can put on one element of row {@code row}: half a quantisation
   * step.
   */
  public float maxRoundTripError(int row) {
    return scales[row] / 2;
  }
}
