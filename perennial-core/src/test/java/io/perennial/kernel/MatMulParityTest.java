package io.perennial.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vector path's three matrix products against the scalar path and against a plain fused loop,
 * over sizes that straddle the vector width (and the register tile's 4 rows), with offsets, with and
 * without accumulation, and with depths that cross the kernel's 256-deep passes.
 *
 * <p>Two checks per element. Against the plain loop {@code c = fma(A(i,p), B(p,j), c)} for p in
 * order, the vector path must be bit-identical: that is how it is specified, whatever the blocking.
 * Against the scalar path (unfused multiply, then add) it must agree within the float rounding
 * bound of both: |vector − scalar| ≤ 2·k·2⁻²⁴·(Σ_p |A(i,p)·B(p,j)| + |C₀(i,j)|) plus 1e-30, each
 * side being within k·2⁻²⁴ of that sum's scale from the exact value.
 */
class MatMulParityTest {

  private static final int[] SIZES = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 50, 64, 65, 127, 130};
  private static final int[] DEPTHS = {1, 3, 16, 17, 65, 130};
  private static final int A_OFF = 3, B_OFF = 5, C_OFF = 2, GUARD = 4;

  enum Variant { AB, A_BT, AT_B }

  @ParameterizedTest(name = "{0}, accumulate={1}")
  @CsvSource({"AB,false", "AB,true", "A_BT,false", "A_BT,true", "AT_B,false", "AT_B,true"})
  void vectorMatchesScalarAndTheFusedLoopOnTailSizes(Variant variant, boolean accumulate) {
    SplittableRandom random = new SplittableRandom(variant.ordinal() * 2 + (accumulate ? 1 : 0));
    for (int m : SIZES) {
      for (int n : SIZES) {
        for (int k : DEPTHS) {
          check(variant, accumulate, m, k, n, random);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}, k={1}")
  @CsvSource({"AB,255", "AB,256", "AB,257", "AB,600", "A_BT,257", "A_BT,600", "AT_B,256", "AT_B,257",
      "AT_B,600"})
  void depthsAcrossSeveralPassesStayExact(Variant variant, int k) {
    SplittableRandom random = new SplittableRandom(k);
    for (int m : new int[] {1, 5, 17, 64}) {
      for (int n : new int[] {3, 16, 50, 64}) {
        check(variant, false, m, k, n, random);
        check(variant, true, m, k, n, random);
      }
    }
  }

  @Test
  void zeroDepthClearsOrKeepsC() {
    Kernels vector = VectorOps.vectorOrNull();
    float[] c = {1, 2, 3, 4, 5, 6};
    vector.matMul(new float[0], 0, new float[0], 0, c, 0, 2, 0, 3, true);
    assertThat(c).containsExactly(1, 2, 3, 4, 5, 6);
    vector.matMulTransB(new float[0], 0, new float[0], 0, c, 0, 2, 0, 3, false);
    assertThat(c).containsOnly(0f);
  }

  @Test
  void blockedDotAlternativeAgreesWithTheScalarPath() {
    // The benchmark's alternative to packing Bᵀ must compute the same product to be a fair rival.
    SplittableRandom random = new SplittableRandom(17);
    for (int m : new int[] {1, 2, 5, 50}) {
      for (int n : new int[] {1, 4, 7, 50}) {
        for (int k : new int[] {3, 16, 64, 70}) {
          float[] a = values(random, m * k);
          float[] b = values(random, n * k);
          float[] expected = new float[m * n];
          float[] got = new float[m * n];
          VectorOps.scalar().matMulTransB(a, 0, b, 0, expected, 0, m, k, n, false);
          SimdKernels.matMulTransBByDotTiles(a, b, got, m, k, n);
          assertThat(got).as("%d×%d·(%d×%d)ᵀ", m, k, n, k).containsExactly(expected, within(1e-5f * k));
        }
      }
    }
  }

  private static void check(Variant variant, boolean accumulate, int m, int k, int n, SplittableRandom random) {
    // A is m × k (k × m for Aᵀ·B), B is k × n (n × k for A·Bᵀ); element accessors below.
    float[] a = values(random, A_OFF + m * k + GUARD);
    float[] b = values(random, B_OFF + k * n + GUARD);
    float[] start = values(random, C_OFF + m * n + GUARD);
    float[] vectorC = start.clone();
    float[] scalarC = start.clone();
    run(VectorOps.vectorOrNull(), variant, a, b, vectorC, m, k, n, accumulate);
    run(VectorOps.scalar(), variant, a, b, scalarC, m, k, n, accumulate);
    String shape = variant + " " + m + "×" + k + "·" + k + "×" + n + " accumulate=" + accumulate;
    for (int g = 0; g < C_OFF; g++) {
      assertGuard(vectorC, start, g, shape);
    }
    for (int g = C_OFF + m * n; g < start.length; g++) {
      assertGuard(vectorC, start, g, shape);
    }
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float c0 = accumulate ? start[C_OFF + i * n + j] : 0f;
        float fused = c0;
        double magnitude = Math.abs(c0);
        for (int p = 0; p < k; p++) {
          float x = elementA(variant, a, i, p, m, k);
          float y = elementB(variant, b, p, j, k, n);
          fused = Math.fma(x, y, fused);
          magnitude += Math.abs((double) x * y);
        }
        float got = vectorC[C_OFF + i * n + j];
        if (Float.floatToIntBits(got) != Float.floatToIntBits(fused)) {
          fail("%s: C(%d,%d) = %s, the fused loop gives %s", shape, i, j, got, fused);
        }
        double tolerance = 2.0 * k * 0x1p-24 * magnitude + 1e-30;
        float scalar = scalarC[C_OFF + i * n + j];
        if (Math.abs((double) got - scalar) > tolerance) {
          fail("%s: C(%d,%d) vector %s, scalar %s, tolerance %s", shape, i, j, got, scalar, tolerance);
        }
      }
    }
  }

  private static void assertGuard(float[] c, float[] start, int g, String shape) {
    if (Float.floatToIntBits(c[g]) != Float.floatToIntBits(start[g])) {
      fail("%s: wrote outside C at index %d", shape, g);
    }
  }

  private static float elementA(Variant variant, float[] a, int i, int p, int m, int k) {
    return variant == Variant.AT_B ? a[A_OFF + p * m + i] : a[A_OFF + i * k + p];
  }

  private static float elementB(Variant variant, float[] b, int p, int j, int k, int n) {
    return variant == Variant.A_BT ? b[B_OFF + j * k + p] : b[B_OFF + p * n + j];
  }

  private static void run(Kernels kernels, Variant variant, float[] a, float[] b, float[] c,
      int m, int k, int n, boolean accumulate) {
    switch (variant) {
      case AB -> kernels.matMul(a, A_OFF, b, B_OFF, c, C_OFF, m, k, n, accumulate);
      case A_BT -> kernels.matMulTransB(a, A_OFF, b, B_OFF, c, C_OFF, m, k, n, accumulate);
      case AT_B -> kernels.matMulTransA(a, A_OFF, b, B_OFF, c, C_OFF, m, k, n, accumulate);
      default -> throw new AssertionError(variant);
    }
  }

  private static float[] values(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return v;
  }
}
