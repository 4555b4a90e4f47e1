package io.perennial.model.sasrec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** NT-Xent: the hand-derived gradient against central differences, and the loss's direction. */
class ContrastiveLossTest {

  @Test
  void gradientMatchesCentralDifferences() {
    int rows = 6;
    int dim = 5;
    float tau = 0.5f;
    SplittableRandom random = new SplittableRandom(11);
    float[] z = new float[rows * dim];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) (random.nextDouble() * 2 - 1);
    }
    float[] grad = new float[z.length];
    ContrastiveLoss.loss(z, rows, dim, tau, grad);
    float eps = 1e-3f;
    for (int i = 0; i < z.length; i++) {
      float saved = z[i];
      z[i] = saved + eps;
      double plus = ContrastiveLoss.loss(z, rows, dim, tau, null);
      z[i] = saved - eps;
      double minus = ContrastiveLoss.loss(z, rows, dim, tau, null);
      z[i] = saved;
      double numeric = (plus - minus) / (2 * eps);
      assertThat((double) grad[i]).as("component %d", i).isCloseTo(numeric, within(2e-3 + 1e-2 * Math.abs(numeric)));
    }
  }

  @Test
  void alignedViewsCostLessThanMismatchedOnes() {
    // Two sequences, two views each; partners are rows (0,2) and (1,3).
    float[] aligned = {1, 0, 0, 1, 1, 0, 0, 1};
    float[] swapped = {1, 0, 0, 1, 0, 1, 1, 0};
    double good = ContrastiveLoss.loss(aligned, 4, 2, 0.2f, null);
    double bad = ContrastiveLoss.loss(swapped, 4, 2, 0.2f, null);
    assertThat(good).isLessThan(bad);
    assertThat(good).isGreaterThan(0);
  }

  @Test
  void rejectsAnOddBatchAndABadTemperature() {
    assertThatThrownBy(() -> ContrastiveLoss.loss(new float[6], 3, 2, 1f, null)).hasMessageContaining("even");
    assertThatThrownBy(() -> ContrastiveLoss.loss(new float[4], 2, 2, 0f, null)).hasMessageContaining("temperature");
  }
}
