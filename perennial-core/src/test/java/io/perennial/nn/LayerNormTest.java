package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LayerNormTest {
  private static final int BT = 4;
  private static final int C = 6;

  @Test
  void gradientsMatchFiniteDifferences() {
    ParameterSet.Builder b = ParameterSet.builder();
    LayerNorm ln = new LayerNorm(b, "ln", C);
    ParameterSet p = b.build();
    // non-trivial scale and shift, so dw and db are exercised away from the identity
    p.uniform(ln.weight(), 1.5f, new SplittableRandom(1));
    p.uniform(ln.bias(), 0.5f, new SplittableRandom(2));
    float[] x = Fill.uniform(BT * C, 2f, 3);
    float[] r = Fill.uniform(BT * C, 1f, 4);
    float[] out = new float[BT * C];
    float[] mean = new float[BT];
    float[] rstd = new float[BT];
    float[] dx = new float[BT * C];
    ln.forward(p.values(), out, 0, mean, rstd, 0, x, 0, BT);
    ln.backward(p.values(), p.grads(), dx, 0, r, 0, x, 0, mean, rstd, 0, BT);
    GradientCheck.assertGradient("x", x, dx, () -> {
      ln.forward(p.values(), out, 0, mean, rstd, 0, x, 0, BT);
      return Fill.project(out, 0, r);
    });
    GradientCheck.assertGradient("params", p.values(), p.grads(), () -> {
      ln.forward(p.values(), out, 0, mean, rstd, 0, x, 0, BT);
      return Fill.project(out, 0, r);
    });
  }

  @Test
  void initialisedOutputHasZeroMeanAndUnitVariancePerRow() {
    ParameterSet.Builder b = ParameterSet.builder();
    LayerNorm ln = new LayerNorm(b, "ln", C);
    ParameterSet p = b.build();
    ln.init(p);
    float[] x = Fill.uniform(BT * C, 3f, 5);
    float[] out = new float[BT * C];
    float[] mean = new float[BT];
    float[] rstd = new float[BT];
    ln.forward(p.values(), out, 0, mean, rstd, 0, x, 0, BT);
    for (int row = 0; row < BT; row++) {
      double m = 0;
      double v = 0;
      for (int i = 0; i < C; i++) {
        m += out[row * C + i];
      }
      m /= C;
      for (int i = 0; i < C; i++) {
        v += Math.pow(out[row * C + i] - m, 2);
      }
      assertThat(m).isCloseTo(0, within(1e-5));
      assertThat(v / C).isCloseTo(1, within(1e-3));
    }
  }
}
