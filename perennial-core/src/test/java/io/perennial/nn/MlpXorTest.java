package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.optim.LearningRateSchedule;
import io.perennial.optim.OptimizerConfig;
import io.perennial.optim.OptimizerKind;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** End to end: a 2-layer MLP (Linear → ReLU → Linear) trained by Adam with BCE learns XOR-like data. */
class MlpXorTest {
  private static final int BT = 64;
  private static final int C = 2;
  private static final int HIDDEN = 16;

  /** Returns {initial loss, final loss, accuracy}. */
  private static double[] train(long seed, int steps) {
    SplittableRandom rng = new SplittableRandom(seed);
    // four noisy clusters at (±1, ±1); label 1 where the signs differ (XOR)
    float[] x = new float[BT * C];
    float[] y = new float[BT];
    for (int r = 0; r < BT; r++) {
      int a = r & 1;
      int b = (r >> 1) & 1;
      x[r * C] = (float) ((a * 2 - 1) + rng.nextGaussian() * 0.2);
      x[r * C + 1] = (float) ((b * 2 - 1) + rng.nextGaussian() * 0.2);
      y[r] = a ^ b;
    }
    ParameterSet.Builder builder = ParameterSet.builder();
    Linear l1 = new Linear(builder, "l1", C, HIDDEN, true);
    Linear l2 = new Linear(builder, "l2", HIDDEN, 1, true);
    ParameterSet p = builder.build();
    l1.init(p, rng);
    l2.init(p, rng);
    OptimizerConfig adam = OptimizerConfig.sgd(0.02f).withKind(OptimizerKind.ADAM)
        .withSchedule(new LearningRateSchedule.LinearWarmup(10, LearningRateSchedule.constant()));
    ParameterOptimizer opt = new ParameterOptimizer(p, adam, 5.0);
    // activations sized once, reused every step
    float[] h = new float[BT * HIDDEN];
    float[] a = new float[BT * HIDDEN];
    float[] logits = new float[BT];
    float[] dlogits = new float[BT];
    float[] da = new float[BT * HIDDEN];
    float[] dh = new float[BT * HIDDEN];
    double first = 0;
    double loss = 0;
    for (int step = 0; step <= steps; step++) {
      l1.forward(p.values(), h, 0, x, 0, BT);
      Activation.RELU.forward(a, 0, h, 0, BT * HIDDEN);
      l2.forward(p.values(), logits, 0, a, 0, BT);
      loss = Losses.bceForward(logits, 0, y, 0, null, 0, BT);
      if (step == 0) {
        first = loss;
      }
      if (step == steps) {
        break;
      }
      java.util.Arrays.fill(dlogits, 0f);
      java.util.Arrays.fill(da, 0f);
      java.util.Arrays.fill(dh, 0f);
      Losses.bceBackward(dlogits, 0, logits, 0, y, 0, null, 0, BT, 1f);
      l2.backward(p.values(), p.grads(), da, 0, dlogits, 0, a, 0, BT);
      Activation.RELU.backward(dh, 0, da, 0, h, 0, BT * HIDDEN);
      l1.backward(p.values(), p.grads(), null, 0, dh, 0, x, 0, BT);
      opt.step();
    }
    int correct = 0;
    for (int r = 0; r < BT; r++) {
      correct += (logits[r] > 0) == (y[r] > 0.5f) ? 1 : 0;
    }
    return new double[] {first, loss, correct / (double) BT};
  }

  @Test
  void learnsXorAndIsDeterministicForASeed() {
    double[] run = train(7, 300);
    assertThat(run[0]).isGreaterThan(0.5);
    assertThat(run[1]).isLessThan(0.05);
    assertThat(run[2]).isEqualTo(1.0);
    assertThat(train(7, 300)).containsExactly(run);
  }
}
