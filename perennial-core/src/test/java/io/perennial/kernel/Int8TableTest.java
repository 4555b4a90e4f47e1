package io.perennial.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Int8TableTest {

  private static final int[] SIZES = {1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 256, 1031};

  private static byte[] randomCodes(int n, SplittableRandom r) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (r.nextInt(255) - 127);
    }
    return b;
  }

  private static float[] randomFloats(int n, SplittableRandom r, double spread) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((r.nextDouble() * 2 - 1) * spread);
    }
    return a;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 5})
  void int8DotIsExactOnBothPaths(int offset) {
    SplittableRandom r = new SplittableRandom(11 + offset);
    for (int n : SIZES) {
      byte[] a = randomCodes(n + offset, r);
      byte[] b = randomCodes(n + 2 * offset, r);
      long exact = 0;
      for (int i = 0; i < n; i++) {
        exact += a[offset + i] * b[2 * offset + i];
      }
      assertThat(VectorOps.scalar().dotInt8(a, offset, b, 2 * offset, n)).as("scalar n=%d", n).isEqualTo((int) exact);
      assertThat(VectorOps.vectorOrNull().dotInt8(a, offset, b, 2 * offset, n)).as("vector n=%d", n).isEqualTo((int) exact);
    }
  }

  @Test
  void extremeCodesDoNotOverflow() {
    byte[] a = new byte[1031];
    java.util.Arrays.fill(a, (byte) -127);
    assertThat(VectorOps.dotInt8(a, 0, a, 0, a.length)).isEqualTo(127 * 127 * 1031);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 2, 3})
  void floatQueryAgainstCodesMatchesTheExactSum(int offset) {
    SplittableRandom r = new SplittableRandom(23 + offset);
    for (int n : SIZES) {
      float[] x = randomFloats(n + offset, r, 1);
      byte[] c = randomCodes(n + 2 * offset, r);
      double exact = 0;
      for (int i = 0; i < n; i++) {
        exact += (double) x[offset + i] * c[2 * offset + i];
      }
      float tolerance = 127e-6f * n + 1e-5f;
      assertThat(VectorOps.scalar().dotInt8(x, offset, c, 2 * offset, n)).as("scalar n=%d", n)
          .isCloseTo((float) exact, within(tolerance));
      assertThat(VectorOps.vectorOrNull().dotInt8(x, offset, c, 2 * offset, n)).as("vector n=%d", n)
          .isCloseTo((float) exact, within(tolerance));
    }
  }

  @Test
  void roundTripIsWithinHalfAStepPerElement() {
    SplittableRandom r = new SplittableRandom(5);
    int rows = 200;
    int dims = 48;
    float[] table = new float[rows * dims];
    for (int row = 0; row < rows; row++) {
      // rows of very different norms: per-row scales must serve each of them
      double spread = Math.pow(10, r.nextDouble() * 6 - 3);
      System.arraycopy(randomFloats(dims, r, spread), 0, table, row * dims, dims);
    }
    Int8Table q = Int8Table.quantize(table, rows, dims);
    float[] back = q.dequantize();
    for (int row = 0; row < rows; row++) {
      float maxAbs = 0;
      for (int d = 0; d < dims; d++) {
        maxAbs = Math.max(maxAbs, Math.abs(table[row * dims + d]));
      }
      assertThat(q.scales()[row]).isCloseTo(maxAbs / 127, within(maxAbs * 1e-6f));
      for (int d = 0; d < dims; d++) {
        int p = row * dims + d;
        assertThat(Math.abs(back[p] - table[p])).as("row %d dim %d", row, d)
            .isLessThanOrEqualTo(q.maxRoundTripError(row) * 1.0001f);
        assertThat(q.value(row, d)).isEqualTo(back[p]);
      }
    }
    assertThat(q.bytes()).isEqualTo(rows * dims + 4L * rows);
  }

  @Test
  void quantisedDotsStayWithinTheErrorBoundOfTheFloatDot() {
    SplittableRandom r = new SplittableRandom(9);
    int rows = 300;
    int dims = 64;
    float[] items = randomFloats(rows * dims, r, 0.5);
    float[] users = randomFloats(10 * dims, r, 0.5);
    Int8Table qi = Int8Table.quantize(items, rows, dims);
    Int8Table qu = Int8Table.quantize(users, 10, dims);
    float[] scores = new float[rows];
    for (int u = 0; u < 10; u++) {
      float[] query = java.util.Arrays.copyOfRange(users, u * dims, (u + 1) * dims);
      qi.scoreRows(query, rows, scores);
      double l1 = 0;
      for (float v : query) {
        l1 += Math.abs(v);
      }
      for (int i = 0; i < rows; i++) {
        float exact = VectorOps.dot(query, 0, items, i * dims, dims);
        // |q·v − q·v̂| ≤ Σ|q_d| · step/2
        double bound = l1 * qi.maxRoundTripError(i) + 1e-5;
        assertThat((double) Math.abs(qi.dot(i, query, 0) - exact)).isLessThanOrEqualTo(bound);
        assertThat(scores[i]).isEqualTo(qi.dot(i, query, 0));
        // both sides quantised: the error of each side's rounding adds up
        double bothBound = bound + dims * (qu.maxRoundTripError(u) * 0.5 + qu.maxRoundTripError(u) * qi.maxRoundTripError(i));
        assertThat((double) Math.abs(qu.dot(u, qi, i) - exact)).isLessThanOrEqualTo(bothBound);
      }
    }
  }

  @Test
  void zeroRowsAndBadInputAreHandled() {
    Int8Table q = Int8Table.quantize(new float[8], 2, 4);
    assertThat(q.scales()).containsOnly(0f);
    assertThat(q.dequantize()).containsOnly(0f);
    assertThatThrownBy(() -> Int8Table.quantize(new float[] {1, Float.NaN}, 1, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-finite");
    assertThatThrownBy(() -> new Int8Table(2, 4, new byte[7], new float[2]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7 codes");
    assertThatThrownBy(() -> new Int8Table(1, 2, new byte[2], new float[] {-1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale -1");
  }

  @Test
  void setRowRecodesInPlaceAndAppendsPastTheHeadroomAsAFreshQuantisationWould() {
    SplittableRandom random = new SplittableRandom(9);
    int dims = 12;
    float[] floats = new float[200 * dims];
    for (int p = 0; p < floats.length; p++) {
      floats[p] = (float) random.nextGaussian();
    }
    Int8Table table = Int8Table.quantize(floats, 3, dims);
    for (int r = 3; r < 200; r++) {
      table.setRow(r, floats, r * dims);
    }
    for (int d = 0; d < dims; d++) {
      floats[1 * dims + d] *= 5;
    }
    table.setRow(1, floats, dims);
    Int8Table fresh = Int8Table.quantize(floats, 200, dims);
    assertThat(table.rows()).isEqualTo(200);
    assertThat(table.codes()).isEqualTo(fresh.codes());
    assertThat(table.scales()).isEqualTo(fresh.scales());
    assertThat(table.bytes()).isGreaterThanOrEqualTo(fresh.bytes());
    assertThatThrownBy(() -> table.setRow(202, floats, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    floats[0] = Float.NaN;
    assertThatThrownBy(() -> table.setRow(0, floats, 0)).hasMessageContaining("non-finite");
  }
}
