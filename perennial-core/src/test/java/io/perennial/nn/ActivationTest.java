package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ActivationTest {

  @Test
  void geluGradientMatchesFiniteDifferences() {
    float[] x = Fill.uniform(40, 4f, 1);
    checkGradient(Activation.GELU, x);
  }

  @Test
  void reluGradientMatchesFiniteDifferencesAwayFromZero() {
    float[] x = Fill.uniform(40, 2f, 2);
    for (int i = 0; i < x.length; i++) {
      // keep every input farther from the kink than the difference step
      x[i] = x[i] >= 0 ? x[i] + 0.1f : x[i] - 0.1f;
    }
    checkGradient(Activation.RELU, x);
  }

  @Test
  void geluMatchesTheTanhFormulaAtKnownPoints() {
    float[] x = {0f, 1f, -1f, 3f};
    float[] y = new float[4];
    Activation.GELU.forward(y, 0, x, 0, 4);
    assertThat(y[0]).isEqualTo(0f);
    assertThat(y[1]).isCloseTo(0.841192f, within(1e-5f));
    assertThat(y[2]).isCloseTo(-0.158808f, within(1e-5f));
    assertThat(y[3]).isCloseTo(2.996363f, within(1e-5f));
  }

  @Test
  void reluZeroesNegatives() {
    float[] y = new float[3];
    Activation.RELU.forward(y, 0, new float[] {-2f, 0f, 1.5f}, 0, 3);
    assertThat(y).containsExactly(0f, 0f, 1.5f);
  }

  private static void checkGradient(Activation f, float[] x) {
    float[] r = Fill.uniform(x.length, 1f, 9);
    float[] y = new float[x.length];
    float[] dx = new float[x.length];
    f.backward(dx, 0, r, 0, x, 0, x.length);
    GradientCheck.assertGradient(f.name(), x, dx, () -> {
      f.forward(y, 0, x, 0, x.length);
      return Fill.project(y, 0, r);
    });
  }
}
