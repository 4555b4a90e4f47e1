package io.perennial.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKTest {

  @Test
  void keepsTheHighestScoresBestFirstAcrossRandomInputs() {
    SplittableRandom random = new SplittableRandom(5);
    TopK top = new TopK(1);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + random.nextInt(300);
      int k = 1 + random.nextInt(20);
      float[] scores = new float[n];
      for (int i = 0; i < n; i++) {
        // few distinct values so ties are common
        scores[i] = random.nextInt(40) - 20 + (random.nextBoolean() ? 0.5f : 0f);
      }
      top.reset(k);
      for (int i = 0; i < n; i++) {
        top.offer(i, scores[i]);
      }
      int[] ids = new int[k];
      float[] got = new float[k];
      int count = top.drainTo(ids, got);
      Integer[] reference = IntStream.range(0, n).boxed()
          .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i))
          .limit(k).toArray(Integer[]::new);
      assertThat(count).isEqualTo(Math.min(k, n));
      for (int r = 0; r < count; r++) {
        assertThat(ids[r]).as("trial %d rank %d", trial, r).isEqualTo(reference[r]);
        assertThat(got[r]).isEqualTo(scores[reference[r]]);
      }
    }
  }

  @Test
  void packingPreservesOrderOfNegativeAndPositiveScores() {
    float[] values = {-1e30f, -3f, -0.5f, -0f, 0f, 1e-20f, 2f, 1e30f, Float.POSITIVE_INFINITY};
    long previous = Long.MIN_VALUE;
    for (float v : values) {
      long key = TopK.pack(0, v);
      assertThat(key).isGreaterThanOrEqualTo(previous);
      assertThat(TopK.unpackScore(key)).isEqualTo(v);
      previous = key;
    }
    assertThat(TopK.unpackId(TopK.pack(12345, 1f))).isEqualTo(12345);
  }

  @Test
  void ignoresNaNAndHandlesZeroK() {
    TopK top = new TopK(0);
    top.offer(1, 3f);
    assertThat(top.size()).isZero();
    top.reset(2);
    top.offer(1, Float.NaN);
    top.offer(2, 1f);
    int[] ids = new int[2];
    float[] scores = new float[2];
    assertThat(top.drainTo(ids, scores)).isEqualTo(1);
    assertThat(Arrays.copyOf(ids, 1)).containsExactly(2);
    assertThat(top.threshold()).isEqualTo(Float.NEGATIVE_INFINITY);
  }
}
