package io.perennial.kernel;

/**
 * A row-major {@code rows × dims} table of floats held in a smaller form ({@link Int8Table},
 * {@link Fp16Table}): what a quantised model scores with. Readers widen rows to floats; {@link
 * #setRow} is a write, under the model's write rule.
 */
public interface CompactTable {

  int rows();

  int dims();

  /** Bytes the table holds, headroom included. */
  long bytes();

  /** Re-codes row {@code row} from {@code values[offset, offset + dims)}; {@code row == rows()} appends it. */
  void setRow(int row, float[] values, int offset);

  /** Writes row {@code row}'s values into {@code out[offset, offset + dims)}. */
  void dequantizeRow(int row, float[] out, int offset);

  /** The float table this one stands for ({@code rows × dims}, row-major). */
  float[] dequantize();

  /** {@code query · row}, the query in floats. */
  float dot(int row, float[] query, int queryOffset);

  /** {@code out[r] = query · row r} for the first {@code count} rows. */
  void scoreRows(float[] query, int count, float[] out);

  /** The largest error a round trip can put on one element of row {@code row}. */
  float maxRoundTripError(int row);
}
