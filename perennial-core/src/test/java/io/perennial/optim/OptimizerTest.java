package io.perennial.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Each expected value below is worked out by hand from the update rule in the comment. */
class OptimizerTest {

  private static final float EPS = 1e-6f;

  private static OptimizerConfig config(OptimizerKind kind, float lr) {
    return OptimizerConfig.sgd(lr).withKind(kind);
  }

  @Test
  void sgdStepsAgainstTheGradient() {
    // θ = 1 - 0.1·0.5 = 0.95 ; θ = 2 - 0.1·(-1) = 2.1
    Optimizer opt = new Optimizer(config(OptimizerKind.SGD, 0.1f), 1, 2);
    float[] table = {1f, 2f};
    opt.updateRow(table, 0, new float[] {0.5f, -1f}, 0);
    assertThat(table).containsExactly(new float[] {0.95f, 2.1f}, within(EPS));
  }

  @Test
  void momentumAccumulatesVelocity() {
    // v1 = g = 1 → θ = 0 - 0.1·1 = -0.1 ; v2 = 0.9·1 + 1 = 1.9 → θ = -0.1 - 0.19 = -0.29
    Optimizer opt = new Optimizer(config(OptimizerKind.MOMENTUM, 0.1f), 1, 1);
    float[] table = {0f};
    opt.updateRow(table, 0, new float[] {1f}, 0);
    assertThat(table[0]).isCloseTo(-0.1f, within(EPS));
    opt.updateRow(table, 0, new float[] {1f}, 0);
    assertThat(table[0]).isCloseTo(-0.29f, within(EPS));
  }

  @Test
  void nesterovLooksAhead() {
    // v1 = 1 → θ -= 0.1·(g + μ v) = 0.1·1.9 → -0.19
    Optimizer opt = new Optimizer(config(OptimizerKind.NESTEROV, 0.1f), 1, 1);
    float[] table = {0f};
    opt.updateRow(table, 0, new float[] {1f}, 0);
    assertThat(table[0]).isCloseTo(-0.19f, within(EPS));
  }

  @Test
  void adagradDividesByAccumulatedSquares() {
    // G = 4 → θ = 1 - 0.5·2/(2+1e-8) = 0.5 ; G = 4 + 4 = 8 → θ = 0.5 - 0.5·2/√8 = 0.146447
    Optimizer opt = new Optimizer(config(OptimizerKind.ADAGRAD, 0.5f), 1, 1);
    float[] table = {1f};
    opt.updateRow(table, 0, new float[] {2f}, 0);
    assertThat(table[0]).isCloseTo(0.5f, within(EPS));
    opt.updateRow(table, 0, new float[] {2f}, 0);
    assertThat(table[0]).isCloseTo(0.5f - 1f / (float) Math.sqrt(8), within(EPS));
  }

  @Test
  void rmspropUsesADecayingAverage() {
    // E = (1-0.999)·4 = 0.004 → θ = 0 - 0.01·2/√0.004 = -0.316228
    Optimizer opt = new Optimizer(config(OptimizerKind.RMSPROP, 0.01f), 1, 1);
    float[] table = {0f};
    opt.updateRow(table, 0, new float[] {2f}, 0);
    assertThat(table[0]).isCloseTo(-0.01f * 2 / (float) Math.sqrt(0.004), within(1e-5f));
  }

  @Test
  void adamFirstStepMovesByTheLearningRate() {
    // bias-corrected m̂ = g, v̂ = g² → step = lr·g/|g| = lr·sign(g)
    Optimizer opt = new Optimizer(config(OptimizerKind.ADAM, 0.01f), 2, 2);
    float[] table = {1f, 1f, 5f, 5f};
    opt.updateRow(table, 0, new float[] {3f, -0.2f}, 0);
    assertThat(table).containsExactly(new float[] {0.99f, 1.01f, 5f, 5f}, within(1e-5f));
    // second step with the same gradient: m̂ = g, v̂ = g² again → another lr·sign(g)
    opt.updateRow(table, 0, new float[] {3f, -0.2f}, 0);
    assertThat(table[0]).isCloseTo(0.98f, within(1e-5f));
  }

  @Test
  void lazyAdamKeepsPerRowStepCountsSoUntouchedRowsStayPut() {
    Optimizer opt = new Optimizer(config(OptimizerKind.ADAM, 0.01f), 2, 1);
    float[] table = {0f, 0f};
    for (int i = 0; i < 5; i++) {
      opt.updateRow(table, 0, new float[] {1f}, 0);
    }
    assertThat(table[1]).isZero();
    // row 1's first update is bias-corrected as step 1, not step 6: a full lr step
    opt.updateRow(table, 1, new float[] {1f}, 0);
    assertThat(table[1]).isCloseTo(-0.01f, within(1e-6f));
  }

  @Test
  void l2AddsTheParameterToTheGradient() {
    // g' = 0 + 0.5·2 = 1 → θ = 2 - 0.1·1 = 1.9
    Optimizer opt = new Optimizer(OptimizerConfig.sgd(0.1f).withL2(0.5f), 1, 1);
    float[] table = {2f};
    opt.updateRow(table, 0, new float[] {0f}, 0);
    assertThat(table[0]).isCloseTo(1.9f, within(EPS));
  }

  @Test
  void decoupledWeightDecayShrinksAfterTheStep() {
    // Adam step -0.1 → 0.9, then θ·(1 - 0.1·0.5) = 0.855
    Optimizer opt = new Optimizer(config(OptimizerKind.ADAM, 0.1f).withWeightDecay(0.5f), 1, 1);
    float[] table = {1f};
    opt.updateRow(table, 0, new float[] {1f}, 0);
    assertThat(table[0]).isCloseTo(0.855f, within(1e-5f));
  }

  @Test
  void clippingByValueAndByNorm() {
    Optimizer byValue = new Optimizer(OptimizerConfig.sgd(1f).withClipping(0.5f, 0), 1, 2);
    float[] t1 = {0f, 0f};
    byValue.updateRow(t1, 0, new float[] {3f, -0.2f}, 0);
    assertThat(t1).containsExactly(new float[] {-0.5f, 0.2f}, within(EPS));
    // ‖(3,4)‖ = 5 → scaled to norm 1: (0.6, 0.8)
    Optimizer byNorm = new Optimizer(OptimizerConfig.sgd(1f).withClipping(0, 1f), 1, 2);
    float[] t2 = {0f, 0f};
    byNorm.updateRow(t2, 0, new float[] {3f, 4f}, 0);
    assertThat(t2).containsExactly(new float[] {-0.6f, -0.8f}, within(EPS));
  }

  @Test
  void denseStepUpdatesEveryRow() {
    Optimizer opt = new Optimizer(OptimizerConfig.sgd(1f), 2, 1);
    float[] table = {1f, 1f};
    opt.stepDense(table, new float[] {0.5f, 0f});
    assertThat(table).containsExactly(0.5f, 1f);
  }

  @Test
  void aTableViewInsideALargerArrayKeepsItsStateByRow() {
    // Adam on a 2 × 2 table at offset 3 of a shared array: the first step moves each touched
    // coordinate by lr against the gradient's sign; the floats outside the view stay put
    Optimizer opt = new Optimizer(config(OptimizerKind.ADAM, 0.1f), 2, 2);
    float[] values = {9f, 9f, 9f, 1f, 1f, 1f, 1f, 9f};
    float[] grads = {0f, 0f, 0f, 0f, 0f, 2f, -3f, 0f};
    opt.updateRow(values, 3, 1, grads, 5, opt.currentRate());
    assertThat(values).containsExactly(new float[] {9f, 9f, 9f, 1f, 1f, 0.9f, 1.1f, 9f}, within(EPS));
    float[] dense = {7f, 1f, 1f, 1f, 1f};
    new Optimizer(OptimizerConfig.sgd(1f), 2, 2).stepDense(dense, 1, new float[] {0.5f, 0f, 0f, -1f}, 0, 2);
    assertThat(dense).containsExactly(7f, 0.5f, 1f, 1f, 2f);
  }

  @Test
  void schedulesFollowTheirFormulas() {
    assertThat(new LearningRateSchedule.StepDecay(10, 0.5f).rate(1f, 25)).isCloseTo(0.25f, within(EPS));
    LearningRateSchedule.Cosine cosine = new LearningRateSchedule.Cosine(100, 0.1f);
    assertThat(cosine.rate(1f, 0)).isCloseTo(1f, within(EPS));
    assertThat(cosine.rate(1f, 50)).isCloseTo(0.55f, within(EPS));
    assertThat(cosine.rate(1f, 200)).isCloseTo(0.1f, within(EPS));
    LearningRateSchedule warm = new LearningRateSchedule.LinearWarmup(4, LearningRateSchedule.constant());
    assertThat(warm.rate(1f, 0)).isCloseTo(0.25f, within(EPS));
    assertThat(warm.rate(1f, 3)).isCloseTo(1f, within(EPS));
    assertThat(warm.rate(1f, 10)).isCloseTo(1f, within(EPS));
    Optimizer opt = new Optimizer(OptimizerConfig.sgd(1f).withSchedule(new LearningRateSchedule.StepDecay(1, 0.5f)), 1, 1);
    opt.advance();
    opt.advance();
    assertThat(opt.currentRate()).isCloseTo(0.25f, within(EPS));
  }

  @Test
  void growsStateForNewRows() {
    Optimizer opt = new Optimizer(config(OptimizerKind.ADAM, 0.01f), 1, 2);
    opt.ensureRows(3);
    float[] table = new float[6];
    opt.updateRow(table, 2, new float[] {1f, 1f}, 0);
    assertThat(table[4]).isCloseTo(-0.01f, within(1e-6f));
  }

  @Test
  void rejectsNonsenseSettings() {
    assertThatThrownBy(() -> OptimizerConfig.sgd(0f)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OptimizerConfig.sgd(0.1f).withClipping(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OptimizerKind.parse("lion")).hasMessageContaining("unknown optimizer 'lion'");
  }
}
