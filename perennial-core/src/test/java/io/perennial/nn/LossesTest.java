package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Every loss: gradient check, padding rows masked out (no loss, no gradient), stable at large logits. */
class LossesTest {
  private static final int BT = 4;
  private static final int K = 3;
  /** Row 2 is padding. */
  private static final boolean[] VALID = {true, true, false, true};

  @Test
  void bceWithSampledNegatives() {
    float[] s = Fill.uniform(BT * (1 + K), 3f, 1);
    float[] ds = new float[s.length];
    Losses.bceSampledBackward(ds, 0, s, 0, VALID, 0, BT, K, 1f);
    GradientCheck.assertGradient("logits", s, ds, () -> Losses.bceSampledForward(s, 0, VALID, 0, BT, K));
    assertPaddingRowUntouched(ds, 1 + K);
    // by hand, one row, one negative: softplus(-s0) + softplus(s1)
    float loss = Losses.bceSampledForward(new float[] {0f, 0f}, 0, null, 0, 1, 1);
    assertThat(loss).isCloseTo((float) (2 * Math.log(2)), within(1e-6f));
  }

  @Test
  void pointwiseBce() {
    float[] s = Fill.uniform(BT, 3f, 2);
    float[] y = {1f, 0f, 1f, 0f};
    float[] ds = new float[BT];
    Losses.bceBackward(ds, 0, s, 0, y, 0, VALID, 0, BT, 1f);
    GradientCheck.assertGradient("logits", s, ds, () -> Losses.bceForward(s, 0, y, 0, VALID, 0, BT));
    assertThat(ds[2]).isZero();
  }

  @Test
  void bpr() {
    float[] s = Fill.uniform(BT * (1 + K), 3f, 3);
    float[] ds = new float[s.length];
    Losses.bprBackward(ds, 0, s, 0, VALID, 0, BT, K, 1f);
    GradientCheck.assertGradient("logits", s, ds, () -> Losses.bprForward(s, 0, VALID, 0, BT, K));
    assertPaddingRowUntouched(ds, 1 + K);
    // -log σ(pos - neg) at pos - neg = 2
    float loss = Losses.bprForward(new float[] {3f, 1f}, 0, null, 0, 1, 1);
    assertThat(loss).isCloseTo((float) -Math.log(1 / (1 + Math.exp(-2))), within(1e-6f));
  }

  @Test
  void sampledSoftmaxWithAndWithoutLogQ() {
    float[] logQ = Fill.uniform(BT * (1 + K), 2f, 5);
    for (float[] q : new float[][] {null, logQ}) {
      float[] s = Fill.uniform(BT * (1 + K), 3f, 4);
      float[] lse = new float[BT];
      float[] ds = new float[s.length];
      Losses.sampledSoftmaxForward(s, 0, q, 0, lse, 0, VALID, 0, BT, K);
      Losses.sampledSoftmaxBackward(ds, 0, s, 0, q, 0, lse, 0, VALID, 0, BT, K, 1f);
      GradientCheck.assertGradient("logits", s, ds,
          () -> Losses.sampledSoftmaxForward(s, 0, q, 0, lse, 0, VALID, 0, BT, K));
      assertPaddingRowUntouched(ds, 1 + K);
    }
    // the correction subtracts log Q: a candidate sampled often (large Q) counts for less
    float[] s = {1f, 1f};
    float plain = Losses.sampledSoftmaxForward(s, 0, null, 0, new float[1], 0, null, 0, 1, 1);
    float corrected = Losses.sampledSoftmaxForward(s, 0, new float[] {0f, (float) Math.log(4)}, 0, new float[1], 0,
        null, 0, 1, 1);
    assertThat(plain).isCloseTo((float) Math.log(2), within(1e-6f));
    assertThat(corrected).isCloseTo((float) Math.log(1.25), within(1e-6f));
  }

  @Test
  void fullSoftmaxWithPaddingTargets() {
    int v = 6;
    float[] s = Fill.uniform(BT * v, 3f, 6);
    int[] targets = {4, 0, -1, 5};
    float[] lse = new float[BT];
    float[] ds = new float[s.length];
    Losses.softmaxForward(s, 0, targets, 0, lse, 0, BT, v);
    Losses.softmaxBackward(ds, 0, s, 0, targets, 0, lse, 0, BT, v, 1f);
    GradientCheck.assertGradient("logits", s, ds, () -> Losses.softmaxForward(s, 0, targets, 0, lse, 0, BT, v));
    assertPaddingRowUntouched(ds, v);
    // each valid row's gradient sums to zero (softmax minus one-hot), over 3 valid rows
    double rowSum = 0;
    for (int j = 0; j < v; j++) {
      rowSum += ds[j];
    }
    assertThat(rowSum).isCloseTo(0, within(1e-6));
  }

  @Test
  void largeLogitsStayFinite() {
    float[] s = {1e4f, -1e4f, 5e3f, -1e4f, 1e4f, 0f};
    float[] lse = new float[2];
    assertThat(Losses.bceSampledForward(s, 0, null, 0, 2, 2)).isFinite();
    assertThat(Losses.bprForward(s, 0, null, 0, 2, 2)).isFinite();
    assertThat(Losses.sampledSoftmaxForward(s, 0, null, 0, lse, 0, null, 0, 2, 2)).isFinite();
    // each target logit sits 2·10⁴ below its row maximum
    assertThat(Losses.softmaxForward(s, 0, new int[] {1, 0}, 0, lse, 0, 2, 3)).isCloseTo(2e4f, within(1f));
    float[] ds = new float[6];
    Losses.bceSampledBackward(ds, 0, s, 0, null, 0, 2, 2, 1f);
    Losses.softmaxBackward(ds, 0, s, 0, new int[] {1, 0}, 0, lse, 0, 2, 3, 1f);
    for (float g : ds) {
      assertThat(g).isFinite();
    }
  }

  @Test
  void allRowsPaddedGivesZeroLoss() {
    boolean[] none = new boolean[BT];
    float[] s = Fill.uniform(BT * (1 + K), 1f, 7);
    assertThat(Losses.bceSampledForward(s, 0, none, 0, BT, K)).isZero();
    assertThat(Losses.bprForward(s, 0, none, 0, BT, K)).isZero();
  }

  private static void assertPaddingRowUntouched(float[] ds, int width) {
    for (int j = 0; j < width; j++) {
      assertThat(ds[2 * width + j]).as("padding row gradient").isZero();
    }
  }
}
