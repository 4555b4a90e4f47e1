package io.perennial.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The iALS kernels (the symmetric product and the fused sparse pass) against plain double loops. */
class AlsKernelsParityTest {

  /** Widths that take each fused path on 256- and 512-bit vectors, and the general loops. */
  private static final int[] WIDTHS = {1, 3, 8, 15, 16, 24, 32, 40, 64, 96, 100, 128, 256};

  private static float[] random(int n, SplittableRandom r) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  private static float[] symmetric(int k, SplittableRandom r) {
    float[] g = new float[k * k];
    for (int a = 0; a < k; a++) {
      for (int b = 0; b <= a; b++) {
        g[a * k + b] = g[b * k + a] = (float) (r.nextDouble() * 2 - 1);
      }
    }
    return g;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 8, 15, 16, 24, 32, 40, 64, 96, 100, 128, 256})
  void symmetricMatVecMatchesTheDoubleProduct(int k) {
    SplittableRandom r = new SplittableRandom(k);
    float[] g = symmetric(k, r);
    float[] v = random(k, r);
    float shift = 3.5f;
    double[] exact = new double[k];
    for (int a = 0; a < k; a++) {
      exact[a] = shift * (double) v[a];
      for (int b = 0; b < k; b++) {
        exact[a] += (double) g[a * k + b] * v[b];
      }
    }
    for (Kernels kernels : new Kernels[] {VectorOps.scalar(), VectorOps.vectorOrNull()}) {
      float[] out = new float[k];
      kernels.symmetricMatVec(g, k, v, shift, out);
      for (int a = 0; a < k; a++) {
        assertThat(out[a]).as("%s k=%d row %d", kernels.name(), k, a).isCloseTo((float) exact[a], within(1e-5f * k));
      }
    }
  }

  /** {@code out0 + Σ_n (rhs(1 + α r_n) + sign α r_n (y_n·v)) y_n} in double. */
  private static double[] confidenceReference(float[] table, int k, int[] cols, float[] values, int start, int end,
      float alpha, float rhs, float sign, float[] v, int vOffset, float[] out, int outOffset) {
    double[] exact = new double[k];
    for (int d = 0; d < k; d++) {
      exact[d] = out[outOffset + d];
    }
    for (int n = start; n < end; n++) {
      double yv = 0;
      for (int d = 0; d < k; d++) {
        yv += (double) table[cols[n] * k + d] * v[vOffset + d];
      }
      double a = (double) alpha * values[n];
      double coefficient = rhs * (1 + a) + sign * a * yv;
      for (int d = 0; d < k; d++) {
        exact[d] += coefficient * table[cols[n] * k + d];
      }
    }
    return exact;
  }

  @Test
  void confidenceProductsMatchTheDoubleSumForEveryWidthAndBothModes() {
    for (int k : WIDTHS) {
      SplittableRandom r = new SplittableRandom(31L * k);
      int rows = 50;
      float[] table = random(rows * k, r);
      int[] cols = new int[40];
      float[] values = new float[40];
      for (int n = 0; n < cols.length; n++) {
        cols[n] = r.nextInt(rows);
        values[n] = (float) r.nextDouble() * 3;
      }
      float[] v = random(k + 5, r);
      for (float[] mode : new float[][] {{0f, 1f}, {1f, -1f}}) {
        float[] start = random(k + 3, r);
        double[] exact = confidenceReference(table, k, cols, values, 4, 37, 2f, mode[0], mode[1], v, 5, start, 3);
        for (Kernels kernels : new Kernels[] {VectorOps.scalar(), VectorOps.vectorOrNull()}) {
          float[] out = start.clone();
          kernels.confidenceProducts(table, k, cols, values, 4, 37, 2f, mode[0], mode[1], v, 5, out, 3);
          for (int d = 0; d < k; d++) {
            assertThat(out[3 + d]).as("%s k=%d rhs=%s d=%d", kernels.name(), k, mode[0], d)
                .isCloseTo((float) exact[d], within(2e-4f * (float) Math.sqrt(k) * 10));
          }
          assertThat(out[0]).isEqualTo(start[0]);
          assertThat(out[2]).as("left of the output range untouched").isEqualTo(start[2]);
        }
      }
    }
  }

  @Test
  void anEmptyRangeLeavesTheOutputAsItWas() {
    float[] out = {1f, 2f, 3f, 4f};
    VectorOps.confidenceProducts(new float[16], 4, new int[] {0, 1}, new float[] {1f, 1f}, 1, 1, 2f, 1f, -1f,
        new float[4], 0, out, 0);
    assertThat(out).containsExactly(1f, 2f, 3f, 4f);
  }

  @Test
  void aColumnOutsideTheTableIsRefused() {
    assertThatThrownBy(() -> VectorOps.confidenceProducts(new float[64 * 2], 64, new int[] {2}, new float[] {1f}, 0, 1,
        2f, 0f, 1f, new float[64], 0, new float[64], 0)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> VectorOps.confidenceProducts(new float[64], 64, new int[] {0}, new float[] {1f}, 0, 2,
        2f, 0f, 1f, new float[64], 0, new float[64], 0)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
