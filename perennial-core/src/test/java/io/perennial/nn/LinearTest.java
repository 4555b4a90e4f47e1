package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearTest {
  private static final int BT = 3;
  private static final int C = 5;
  private static final int OC = 4;

  @Test
  void gradientsOfInputWeightAndBiasMatchFiniteDifferences() {
    ParameterSet.Builder b = ParameterSet.builder();
    Linear linear = new Linear(b, "fc", C, OC, true);
    ParameterSet p = b.build();
    linear.init(p, new SplittableRandom(1));
    float[] x = Fill.uniform(BT * C, 1f, 2);
    float[] r = Fill.uniform(BT * OC, 1f, 3);
    float[] out = new float[BT * OC];
    float[] dx = new float[BT * C];
    linear.forward(p.values(), out, 0, x, 0, BT);
    linear.backward(p.values(), p.grads(), dx, 0, r, 0, x, 0, BT);
    Runnable fwd = () -> linear.forward(p.values(), out, 0, x, 0, BT);
    GradientCheck.assertGradient("x", x, dx, () -> { fwd.run(); return Fill.project(out, 0, r); });
    GradientCheck.assertGradient("params", p.values(), p.grads(), () -> { fwd.run(); return Fill.project(out, 0, r); });
  }

  @Test
  void forwardIsInputTimesWeightTransposedPlusBias() {
    ParameterSet.Builder b = ParameterSet.builder();
    Linear linear = new Linear(b, "fc", 2, 1, true);
    ParameterSet p = b.build();
    float[] v = p.values();
    v[linear.weight().offset()] = 2;
    v[linear.weight().offset() + 1] = -1;
    v[linear.bias().offset()] = 0.5f;
    float[] out = new float[2];
    linear.forward(v, out, 0, new float[] {1, 3, 4, 1}, 0, 2);
    assertThat(out).containsExactly(2 - 3 + 0.5f, 8 - 1 + 0.5f);
  }

  @Test
  void backwardAccumulatesIntoGradients() {
    ParameterSet.Builder b = ParameterSet.builder();
    Linear linear = new Linear(b, "fc", C, OC, false);
    ParameterSet p = b.build();
    linear.init(p, new SplittableRandom(4));
    float[] x = Fill.uniform(BT * C, 1f, 5);
    float[] r = Fill.uniform(BT * OC, 1f, 6);
    float[] dx = new float[BT * C];
    linear.backward(p.values(), p.grads(), dx, 0, r, 0, x, 0, BT);
    float[] once = p.grads().clone();
    linear.backward(p.values(), p.grads(), dx, 0, r, 0, x, 0, BT);
    for (int i = 0; i < once.length; i++) {
      assertThat(p.grads()[i]).isCloseTo(2 * once[i], org.assertj.core.api.Assertions.within(1e-5f));
    }
    assertThat(linear.bias()).isNull();
  }
}
