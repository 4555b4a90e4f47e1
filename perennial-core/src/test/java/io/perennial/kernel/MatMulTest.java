package io.perennial.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The three matrix products against a triple loop written from the definition. */
class MatMulTest {

  @ParameterizedTest(name = "{0}×{1}·{1}×{2}")
  @CsvSource({"1,1,1", "3,5,7", "8,8,8", "13,17,9", "64,64,64", "2,130,33"})
  void everyProductMatchesTheDefinition(int m, int k, int n) {
    SplittableRandom random = new SplittableRandom(m * 1_000_003L + k * 1_009L + n);
    float[] a = values(random, m * k + 3);
    float[] b = values(random, k * n + 2);
    float[] aT = transposed(a, 3, m, k);
    float[] bT = transposed(b, 2, k, n);
    float[] start = values(random, m * n + 1);
    float[] expected = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += (double) a[3 + i * k + p] * b[2 + p * n + j];
        }
        expected[i * n + j] = (float) s;
      }
    }
    float tolerance = 1e-4f * k;
    float[] c = start.clone();
    VectorOps.matMul(a, 3, b, 2, c, 1, m, k, n, false);
    assertClose(c, 1, expected, null, tolerance);
    c = start.clone();
    VectorOps.matMul(a, 3, b, 2, c, 1, m, k, n, true);
    assertClose(c, 1, expected, start, tolerance);
    c = start.clone();
    VectorOps.matMulTransB(a, 3, bT, 0, c, 1, m, k, n, false);
    assertClose(c, 1, expected, null, tolerance);
    c = start.clone();
    VectorOps.matMulTransB(a, 3, bT, 0, c, 1, m, k, n, true);
    assertClose(c, 1, expected, start, tolerance);
    c = start.clone();
    VectorOps.matMulTransA(aT, 0, b, 2, c, 1, m, k, n, false);
    assertClose(c, 1, expected, null, tolerance);
    c = start.clone();
    VectorOps.matMulTransA(aT, 0, b, 2, c, 1, m, k, n, true);
    assertClose(c, 1, expected, start, tolerance);
  }

  /** {@code c} from {@code offset} equals {@code expected}, plus {@code start} when it accumulated. */
  private static void assertClose(float[] c, int offset, float[] expected, float[] start, float tolerance) {
    for (int i = 0; i < expected.length; i++) {
      float base = start == null ? 0 : start[offset + i];
      assertThat(c[offset + i]).as("element %d", i).isCloseTo(base + expected[i], within(tolerance));
    }
  }

  /** The {@code rows × cols} matrix at {@code offset} of {@code m}, transposed, at offset 0. */
  private static float[] transposed(float[] m, int offset, int rows, int cols) {
    float[] t = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[offset + r * cols + c];
      }
    }
    return t;
  }

  private static float[] values(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return v;
  }
}
