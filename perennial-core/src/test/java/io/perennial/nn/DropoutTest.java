package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DropoutTest {
  private static final int N = 10_000;

  private static float[] mask(Dropout d, long key, boolean training) {
    float[] x = Fill.uniform(N, 1f, 1);
    float[] out = new float[N];
    float[] mask = new float[N];
    d.forward(out, 0, mask, 0, x, 0, N, key, training);
    for (int i = 0; i < N; i++) {
      assertThat(out[i]).isEqualTo(x[i] * mask[i]);
    }
    return mask;
  }

  @Test
  void theSameSeedAndKeyGiveTheSameMaskAndOthersDiffer() {
    float[] a = mask(new Dropout(0.3f, 42), 0, true);
    assertThat(mask(new Dropout(0.3f, 42), 0, true)).containsExactly(a);
    assertThat(mask(new Dropout(0.3f, 43), 0, true)).isNotEqualTo(a);
    assertThat(mask(new Dropout(0.3f, 42), N, true)).isNotEqualTo(a);
  }

  @Test
  void masksDoNotDependOnHowRowsAreSplit() {
    Dropout d = new Dropout(0.5f, 7);
    float[] whole = mask(d, 100, true);
    float[] x = Fill.uniform(N, 1f, 1);
    float[] out = new float[N];
    float[] halves = new float[N];
    d.forward(out, 0, halves, 0, x, 0, N / 2, 100, true);
    d.forward(out, N / 2, halves, N / 2, x, N / 2, N / 2, 100 + N / 2, true);
    assertThat(halves).containsExactly(whole);
  }

  @Test
  void everyElementTakesItsOwnDrawWhateverTheRangeStartsAndEndsAt() {
    Dropout d = new Dropout(0.4f, 9);
    int threshold = Dropout.dropThreshold(0.4f);
    float scale = 1 / (1 - 0.4f);
    for (long key : new long[] {-7, 0, 1, 2, 3, 101, 1L << 40}) {
      for (int n : new int[] {1, 2, 3, 4, 5, 7, 13}) {
        float[] x = Fill.uniform(n, 1f, 3);
        float[] out = new float[n];
        float[] mask = new float[n];
        d.forward(out, 0, mask, 0, x, 0, n, key, true);
        for (int i = 0; i < n; i++) {
          long index = key + i;
          int draw = (int) (Dropout.mix(9, index >> 2) >>> (16 * (int) (index & 3))) & 0xFFFF;
          assertThat(mask[i]).as("key %d, n %d, element %d", key, n, i).isEqualTo(draw < threshold ? 0f : scale);
          assertThat(out[i]).isEqualTo(x[i] * mask[i]);
        }
      }
    }
  }

  @Test
  void trainingDropsAboutPAndScalesSurvivorsSoTheMeanIsKept() {
    float[] m = mask(new Dropout(0.25f, 3), 0, true);
    int dropped = 0;
    double sum = 0;
    for (float v : m) {
      assertThat(v).isIn(0f, 1f / 0.75f);
      dropped += v == 0f ? 1 : 0;
      sum += v;
    }
    assertThat(dropped / (double) N).isCloseTo(0.25, within(0.02));
    assertThat(sum / N).isCloseTo(1.0, within(0.03));
  }

  @Test
  void inferenceIsTheIdentity() {
    assertThat(mask(new Dropout(0.5f, 3), 0, false)).containsOnly(1f);
  }

  @Test
  void gradientMatchesFiniteDifferencesForAFixedMask() {
    Dropout d = new Dropout(0.4f, 11);
    int n = 30;
    float[] x = Fill.uniform(n, 1f, 2);
    float[] r = Fill.uniform(n, 1f, 3);
    float[] out = new float[n];
    float[] mask = new float[n];
    float[] dx = new float[n];
    d.forward(out, 0, mask, 0, x, 0, n, 5, true);
    Dropout.backward(dx, 0, r, 0, mask, 0, n);
    GradientCheck.assertGradient("x", x, dx, () -> {
      d.forward(out, 0, mask, 0, x, 0, n, 5, true);
      return Fill.project(out, 0, r);
    });
  }
}
