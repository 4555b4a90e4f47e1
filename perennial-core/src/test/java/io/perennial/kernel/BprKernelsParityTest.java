package io.perennial.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** BPR's two kernels on the vector path against the scalar reference and a double computation. */
class BprKernelsParityTest {

  private static float[] random(int n, SplittableRandom r) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 8, 16, 17, 32, 48, 64, 100, 128})
  void dotOfDifferenceMatchesTheDoubleSum(int k) {
    SplittableRandom r = new SplittableRandom(k);
    float[] u = random(3 * k, r);
    float[] t = random(5 * k, r);
    double exact = 0;
    for (int d = 0; d < k; d++) {
      exact += (double) u[k + d] * ((double) t[4 * k + d] - t[k + d]);
    }
    for (Kernels kernels : new Kernels[] {VectorOps.scalar(), VectorOps.vectorOrNull()}) {
      assertThat(kernels.dotOfDifference(u, k, t, 4 * k, k, k)).as("%s k=%d", kernels.name(), k)
          .isCloseTo((float) exact, within(1e-5f * k));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 8, 16, 17, 32, 48, 64, 100, 128})
  void pairwiseStepIsTheSameOnBothPathsAndUsesOnlyOldValues(int k) {
    SplittableRandom r = new SplittableRandom(100 + k);
    float[] u = random(2 * k, r);
    float[] t = random(3 * k, r);
    float step = 0.07f;
    float decay = 0.002f;
    float[][] results = new float[2][];
    Kernels[] both = {VectorOps.scalar(), VectorOps.vectorOrNull()};
    for (int w = 0; w < 2; w++) {
      float[] uu = u.clone();
      float[] tt = t.clone();
      both[w].pairwiseStep(uu, k, tt, 0, 2 * k, k, step, decay);
      for (int d = 0; d < k; d++) {
        float pu = u[k + d];
        float qi = t[d];
        float qj = t[2 * k + d];
        assertThat(uu[k + d]).isCloseTo(pu + step * (qi - qj) - decay * pu, within(1e-6f));
        assertThat(tt[d]).isCloseTo(qi + step * pu - decay * qi, within(1e-6f));
        assertThat(tt[2 * k + d]).isCloseTo(qj - step * pu - decay * qj, within(1e-6f));
      }
      assertThat(uu[0]).as("other rows untouched").isEqualTo(u[0]);
      assertThat(tt[k]).isEqualTo(t[k]);
      float[] joined = new float[uu.length + tt.length];
      System.arraycopy(uu, 0, joined, 0, uu.length);
      System.arraycopy(tt, 0, joined, uu.length, tt.length);
      results[w] = joined;
    }
    // lane-wise IEEE arithmetic in the same order: the paths agree bit for bit
    assertThat(results[1]).containsExactly(results[0]);
  }
}
