package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FeedForwardTest {
  private static final int BT = 3;
  private static final int C = 4;
  private static final int FC = 8;

  @Test
  void gradientsMatchFiniteDifferencesWithDropoutOn() {
    ParameterSet.Builder b = ParameterSet.builder();
    // GELU: smooth, so no kink is crossed by the difference step; dropout with a fixed key
    FeedForward ff = new FeedForward(b, "ffn", C, FC, Activation.GELU, new Dropout(0.25f, 9));
    ParameterSet p = b.build();
    ff.init(p, new SplittableRandom(1));
    float[] x = Fill.uniform(BT * C, 1f, 2);
    float[] r = Fill.uniform(BT * C, 1f, 3);
    float[] out = new float[BT * C];
    float[] cache = new float[ff.cacheSize(BT)];
    float[] scratch = new float[ff.scratchSize(BT)];
    float[] dx = new float[BT * C];
    ff.forward(p.values(), out, 0, cache, 0, x, 0, BT, 17, true);
    ff.backward(p.values(), p.grads(), dx, 0, r, 0, x, 0, cache, 0, scratch, 0, BT);
    GradientCheck.assertGradient("x", x, dx, () -> {
      ff.forward(p.values(), out, 0, cache, 0, x, 0, BT, 17, true);
      return Fill.project(out, 0, r);
    });
    GradientCheck.assertGradient("params", p.values(), p.grads(), () -> {
      ff.forward(p.values(), out, 0, cache, 0, x, 0, BT, 17, true);
      return Fill.project(out, 0, r);
    });
    assertThat(p.tensors()).extracting(Tensor::name)
        .containsExactly("ffn.in.weight", "ffn.in.bias", "ffn.out.weight", "ffn.out.bias");
  }

  @Test
  void residualGradientReachesBothBranches() {
    float[] a = Fill.uniform(6, 1f, 4);
    float[] c = Fill.uniform(6, 1f, 5);
    float[] r = Fill.uniform(6, 1f, 6);
    float[] out = new float[6];
    float[] da = new float[6];
    float[] dc = new float[6];
    Residual.backward(da, 0, dc, 0, r, 0, 6);
    GradientCheck.assertGradient("a", a, da, () -> {
      Residual.forward(out, 0, a, 0, c, 0, 6);
      return Fill.project(out, 0, r);
    });
    GradientCheck.assertGradient("b", c, dc, () -> {
      Residual.forward(out, 0, a, 0, c, 0, 6);
      return Fill.project(out, 0, r);
    });
  }
}
