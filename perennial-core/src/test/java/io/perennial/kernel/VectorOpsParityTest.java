package io.perennial.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class VectorOpsParityTest {

  private static final int[] SIZES = {1, 2, 3, 4, 6, 7, 8, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 207, 1024, 1031};

  private static float[] random(int n, SplittableRandom r) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  @Test
  void vectorPathIsLoadedWhenTheModuleIsPresent() {
    // Surefire runs with --add-modules jdk.incubator.vector, so the SIMD path must be active.
    assertThat(VectorOps.vectorOrNull()).isNotNull();
    assertThat(VectorOps.isVectorized()).isTrue();
    assertThat(VectorOps.implementationName()).startsWith("vector(");
  }

  /** A kernel over two ranges, and the double-precision sum of one term per element it must match. */
  private interface PairKernel {
    float apply(Kernels kernels, float[] a, int aOffset, float[] b, int bOffset, int length);
  }

  private static void assertMatchesExactSum(int offset, long seed, PairKernel kernel, DoubleBinaryOperator term) {
    SplittableRandom r = new SplittableRandom(seed + offset);
    Kernels scalar = VectorOps.scalar();
    Kernels vector = VectorOps.vectorOrNull();
    for (int n : SIZES) {
      float[] a = random(n + offset, r);
      float[] b = random(n + 2 * offset, r);
      double exact = 0;
      for (int i = 0; i < n; i++) {
        exact += term.applyAsDouble(a[offset + i], b[2 * offset + i]);
      }
      float tolerance = 1e-5f * n + 1e-6f;
      assertThat(kernel.apply(scalar, a, offset, b, 2 * offset, n)).as("scalar n=%d", n)
          .isCloseTo((float) exact, within(tolerance));
      assertThat(kernel.apply(vector, a, offset, b, 2 * offset, n)).as("vector n=%d", n)
          .isCloseTo((float) exact, within(tolerance));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3})
  void dotMatchesScalarAcrossSizesAndOffsets(int offset) {
    assertMatchesExactSum(offset, 7, Kernels::dot, (x, y) -> x * y);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3})
  void squaredDistanceMatchesScalarAcrossSizesAndOffsets(int offset) {
    assertMatchesExactSum(offset, 11, Kernels::squaredDistance, (x, y) -> (x - y) * (x - y));
    float[] a = {1, 2, 3};
    float[] b = {0, 2, 5};
    assertThat(VectorOps.squaredDistance(a, 0, b, 0, 3)).isEqualTo(5f);
  }

  @Test
  void dotIsBitIdenticalBeforeAndAfterJitCompilation() {
    // reduceLanes(ADD) changes its summation order once C2 compiles it (seen on JDK 25), which made
    // one model give two answers; the kernel must return the same bits every time.
    SplittableRandom r = new SplittableRandom(9);
    float[] a = random(64, r);
    float[] b = random(64, r);
    Kernels vector = VectorOps.vectorOrNull();
    int first = Float.floatToIntBits(vector.dot(a, 0, b, 0, 64));
    int differing = 0;
    for (int i = 0; i < 500_000; i++) {
      if (Float.floatToIntBits(vector.dot(a, 0, b, 0, 64)) != first) {
        differing++;
      }
    }
    assertThat(differing).isZero();
  }

  @Test
  void adamStepsGiveTheSameBitsOnBothPaths() {
    SplittableRandom r = new SplittableRandom(12);
    Kernels scalar = VectorOps.scalar();
    Kernels vector = VectorOps.vectorOrNull();
    for (int n : SIZES) {
      float[] p1 = random(n + 3, r);
      float[] m1 = random(n + 5, r);
      float[] v1 = random(n + 5, r);
      for (int i = 0; i < v1.length; i++) {
        v1[i] = Math.abs(v1[i]);
      }
      float[] p2 = p1.clone();
      float[] m2 = m1.clone();
      float[] v2 = v1.clone();
      float[] before = p1.clone();
      for (int step = 1; step <= 3; step++) {
        float[] g = random(n + 1, r);
        float c1 = 1 - (float) Math.pow(0.9, step);
        float c2 = 1 - (float) Math.pow(0.98, step);
        scalar.adam(p1, 3, m1, v1, 5, g, 1, n, 0.9f, 0.98f, 2e-3f, c1, c2, 1e-8f);
        vector.adam(p2, 3, m2, v2, 5, g, 1, n, 0.9f, 0.98f, 2e-3f, c1, c2, 1e-8f);
      }
      assertThat(p2).as("parameters n=%d", n).containsExactly(p1);
      assertThat(m2).as("first moments n=%d", n).containsExactly(m1);
      assertThat(v2).as("second moments n=%d", n).containsExactly(v1);
      assertThat(p1).as("the step moved the parameters n=%d", n).isNotEqualTo(before);
      assertThat(java.util.Arrays.copyOf(p1, 3)).as("nothing before the offset moved").containsExactly(
          java.util.Arrays.copyOf(before, 3));
    }
  }

  @Test
  void axpyScaledAddAndScaleMatchScalar() {
    SplittableRandom r = new SplittableRandom(11);
    Kernels scalar = VectorOps.scalar();
    Kernels vector = VectorOps.vectorOrNull();
    for (int n : SIZES) {
      float[] x = random(n, r);
      float[] y1 = random(n, r);
      float[] y2 = y1.clone();
      scalar.axpy(0.37f, x, 0, y1, 0, n);
      vector.axpy(0.37f, x, 0, y2, 0, n);
      assertThat(y2).as("axpy n=%d", n).containsExactly(y1, within(1e-6f));
      scalar.scaledAdd(0.9f, y1, 0, -1.3f, x, 0, n);
      vector.scaledAdd(0.9f, y2, 0, -1.3f, x, 0, n);
      assertThat(y2).as("scaledAdd n=%d", n).containsExactly(y1, within(1e-5f));
      scalar.scale(1.7f, y1, 0, n);
      vector.scale(1.7f, y2, 0, n);
      assertThat(y2).as("scale n=%d", n).containsExactly(y1, within(1e-5f));
    }
  }

  @Test
  void matVecScoresEveryRow() {
    SplittableRandom r = new SplittableRandom(3);
    for (int cols : new int[] {1, 7, 16, 33, 64}) {
      int rows = 19;
      float[] m = random(rows * cols, r);
      float[] x = random(cols, r);
      float[] out = new float[rows];
      VectorOps.matVec(m, rows, cols, x, out);
      for (int row = 0; row < rows; row++) {
        assertThat(out[row]).isCloseTo(VectorOps.scalar().dot(m, row * cols, x, 0, cols), within(1e-4f));
      }
    }
  }

  @Test
  void transposedScoringMatchesRowMajorScoring() {
    SplittableRandom r = new SplittableRandom(4);
    for (int cols : new int[] {1, 5, 16, 64}) {
      for (int rows : new int[] {1, 15, 16, 17, 100}) {
        float[] m = random(rows * cols, r);
        float[] x = random(cols, r);
        float[] expected = new float[rows];
        float[] viaScalar = new float[rows];
        float[] viaVector = new float[rows];
        VectorOps.scalar().matVec(m, rows, cols, x, expected);
        float[] columns = VectorOps.transpose(m, rows, cols);
        VectorOps.scalar().matVecTransposed(columns, rows, cols, x, viaScalar);
        VectorOps.vectorOrNull().matVecTransposed(columns, rows, cols, x, viaVector);
        assertThat(viaScalar).as("scalar %dx%d", rows, cols).containsExactly(expected, within(1e-4f));
        assertThat(viaVector).as("vector %dx%d", rows, cols).containsExactly(expected, within(1e-4f));
      }
    }
  }

  @Test
  void facadeRejectsBadRanges() {
    assertThatThrownBy(() -> VectorOps.dot(new float[3], new float[4])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VectorOps.dot(new float[3], 1, new float[3], 0, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> VectorOps.matVec(new float[5], 2, 3, new float[3], new float[2]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
