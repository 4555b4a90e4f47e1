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
 *
 * <p>A table that follows a float table being learned (the server's int8 copy of an online model)
 * re-codes single rows with {@link #setRow} and grows with geometric headroom; those are writes,
 * under the same rule as the model's own (no reader during a write).
 */
public final class Int8Table implements CompactTable {

  /** Largest code magnitude; -128 is never used so the codes are symmetric around zero. */
  public static final int MAX_CODE = 127;

  private int rows;
  private final int dims;
  /** At least {@code rows × dims} codes; rows past {@link #rows} are headroom for growth. */
  private byte[] codes;
  private float[] scales;

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

  /** The codes, row-major ({@code rows × dims}). Live unless the table has grown: do not modify. */
  public byte[] codes() {
    return codes.length == rows * dims ? codes : Arrays.copyOf(codes, rows * dims);
  }

  /** One scale per row ({@code rows}). Live unless the table has grown: do not modify. */
  public float[] scales() {
    return scales.length == rows ? scales : Arrays.copyOf(scales, rows);
  }

  /** Bytes the table holds (headroom included): one per code and four per scale. */
  public long bytes() {
    return codes.length + 4L * scales.length;
  }

  /**
   * Re-codes row {@code row} from {@code values[offset, offset + dims)}; {@code row == rows()}
   * appends it (the arrays grow by half when full, so a stream of new rows costs amortised O(dims)
   * each). A write.
   *
   * @throws IllegalArgumentException when a value is not finite
   * @throws IndexOutOfBoundsException when {@code row} is beyond the next row
   */
  public void setRow(int row, float[] values, int offset) {
    Objects.checkIndex(row, rows + 1);
    Objects.checkFromIndexSize(offset, dims, values.length);
    if (row == rows) {
      if ((long) (rows + 1) * dims > codes.length) {
        int capacity = Math.max(rows + 1, rows + rows / 2 + 16);
        codes = Arrays.copyOf(codes, Math.multiplyExact(capacity, dims));
        scales = Arrays.copyOf(scales, capacity);
      }
      // codes first: a row is counted only once it holds its values
      scales[row] = quantizeRow(values, offset, dims, codes, row * dims);
      rows++;
      return;
    }
    scales[row] = quantizeRow(values, offset, dims, codes, row * dims);
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
