package io.perennial.kernel;

import java.util.Arrays;
import java.util.Objects;

/**
 * A row-major table of {@code rows × dims} floats stored as IEEE half-precision values ({@link
 * Half}): two bytes per element, half the float table, with a relative error of at most {@code
 * 2^-11} per element (no per-row scale: the exponent travels with each value). Scoring widens a row
 * into a float scratch row and takes the float dot there: the JDK 17 Vector API has no half-to-float
 * lane conversion, and widening is one table look-up per element.
 *
 * <p>As {@link Int8Table}, a table that follows a learning float table re-codes rows with {@link
 * #setRow} and grows with geometric headroom.
 */
public final class Fp16Table implements CompactTable {

  private int rows;
  private final int dims;
  /** At least {@code rows × dims} halves; rows past {@link #rows} are headroom for growth. */
  private short[] halves;

  /**
   * Wraps existing halves (e.g. read from a checkpoint).
   *
   * @throws IllegalArgumentException when the array does not hold {@code rows × dims} finite halves
   */
  public Fp16Table(int rows, int dims, short[] halves) {
    if (rows < 0 || dims <= 0) {
      throw new IllegalArgumentException("bad fp16 table shape " + rows + "×" + dims);
    }
    if (halves.length != (long) rows * dims) {
      throw new IllegalArgumentException("fp16 table of " + rows + "×" + dims + " has " + halves.length + " values");
    }
    for (int n = 0; n < halves.length; n++) {
      if ((halves[n] & 0x7c00) == 0x7c00) {
        throw new IllegalArgumentException("fp16 table element " + n + " is not finite");
      }
    }
    this.rows = rows;
    this.dims = dims;
    this.halves = halves;
  }

  /**
   * Rounds the first {@code rows} rows of a row-major float table to halves.
   *
   * @throws IllegalArgumentException when a value is not finite or beyond the half range (±65504)
   */
  public static Fp16Table quantize(float[] table, int rows, int dims) {
    Objects.checkFromIndexSize(0, Math.multiplyExact(rows, dims), table.length);
    short[] halves = new short[rows * dims];
    encode(table, 0, rows * dims, halves, 0);
    return new Fp16Table(rows, dims, halves);
  }

  private static void encode(float[] values, int offset, int length, short[] out, int outOffset) {
    for (int d = 0; d < length; d++) {
      float v = values[offset + d];
      if (!(Math.abs(v) <= Half.MAX_VALUE)) {
        throw new IllegalArgumentException("cannot store " + v + " (element " + (offset + d) + ") as fp16: "
            + (Float.isFinite(v) ? "beyond ±65504" : "not finite"));
      }
      out[outOffset + d] = Half.fromFloat(v);
    }
  }

  /** The halves, row-major ({@code rows × dims}). Live unless the table has grown: do not modify. */
  public short[] halves() {
    return halves.length == rows * dims ? halves : Arrays.copyOf(halves, rows * dims);
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int dims() {
    return dims;
  }

  /** Two bytes per element. */
  @Override
  public long bytes() {
    return 2L * halves.length;
  }

  @Override
  public void setRow(int row, float[] values, int offset) {
    Objects.checkIndex(row, rows + 1);
    Objects.checkFromIndexSize(offset, dims, values.length);
    if (row == rows && (long) (rows + 1) * dims > halves.length) {
      int capacity = Math.max(rows + 1, rows + rows / 2 + 16);
      halves = Arrays.copyOf(halves, Math.multiplyExact(capacity, dims));
    }
    encode(values, offset, dims, halves, row * dims);
    if (row == rows) {
      rows++; // counted only once it holds its values
    }
  }

  /** Element {@code (row, d)} as the table represents it. */
  public float value(int row, int d) {
    return Half.toFloat(halves[row * dims + d]);
  }

  @Override
  public void dequantizeRow(int row, float[] out, int offset) {
    int base = row * dims;
    for (int d = 0; d < dims; d++) {
      out[offset + d] = Half.toFloat(halves[base + d]);
    }
  }

  @Override
  public float[] dequantize() {
    float[] out = new float[rows * dims];
    for (int r = 0; r < rows; r++) {
      dequantizeRow(r, out, r * dims);
    }
    return out;
  }

  @Override
  public float dot(int row, float[] query, int queryOffset) {
    Objects.checkIndex(row, rows);
    float[] widened = new float[dims];
    dequantizeRow(row, widened, 0);
    return VectorOps.dot(query, queryOffset, widened, 0, dims);
  }

  @Override
  public void scoreRows(float[] query, int count, float[] out) {
    Objects.checkFromIndexSize(0, count, rows);
    float[] widened = new float[dims];
    for (int r = 0; r < count; r++) {
      dequantizeRow(r, widened, 0);
      out[r] = VectorOps.dot(query, 0, widened, 0, dims);
    }
  }

  /**
   * Half an ulp of the row's largest element: rounding to nearest moves no element further (a
   * subnormal's ulp is {@code 2^-24}).
   */
  @Override
  public float maxRoundTripError(int row) {
    float max = 0;
    for (int d = 0; d < dims; d++) {
      max = Math.max(max, Math.abs(value(row, d)));
    }
    return Math.max(Math.ulp(max) * (1 << 13), 0x1p-24f) / 2;
  }
}
