package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The checker itself: it passes a correct gradient and catches a wrong one. */
class GradientCheckTest {

  /** L(x) = Σ sin(x_i) · x_{i+1}: a smooth function with coupled coordinates. */
  private static double loss(float[] x) {
    double s = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      s += Math.sin(x[i]) * x[i + 1];
    }
    return s;
  }

  private static float[] gradient(float[] x) {
    float[] g = new float[x.length];
    for (int i = 0; i + 1 < x.length; i++) {
      g[i] += (float) (Math.cos(x[i]) * x[i + 1]);
      g[i + 1] += (float) Math.sin(x[i]);
    }
    return g;
  }

  @Test
  void aCorrectGradientPasses() {
    float[] x = {0.3f, -1.2f, 0.7f, 2.0f, -0.4f};
    double worst = GradientCheck.assertGradient("x", x, gradient(x), () -> loss(x));
    assertThat(worst).isLessThan(GradientCheck.TOLERANCE);
    assertThat(x).containsExactly(0.3f, -1.2f, 0.7f, 2.0f, -0.4f);
  }

  @Test
  void aWrongGradientIsCaught() {
    float[] x = {0.3f, -1.2f, 0.7f, 2.0f, -0.4f};
    float[] wrong = gradient(x);
    wrong[2] *= 1.1f;
    assertThatThrownBy(() -> GradientCheck.assertGradient("x", x, wrong, () -> loss(x)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("x[2]");
  }
}
