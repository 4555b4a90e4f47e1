package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.optim.OptimizerConfig;
import io.perennial.optim.OptimizerKind;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Per-tensor and per-row learning-rate scales: 0 holds a parameter bit for bit, a ratio scales its step. */
class ParameterOptimizerScaleTest {

  @Test
  void aZeroScaleFreezesAndARatioScalesTheAdamStep() {
    ParameterSet.Builder b = ParameterSet.builder();
    Tensor table = b.table("items", 4, 3);
    Tensor frozen = b.dense("frozen", true, 2, 3);
    Tensor slow = b.dense("slow", true, 2, 3);
    Tensor free = b.dense("free", true, 2, 3);
    ParameterSet p = b.build();
    Arrays.fill(p.values(), 0.5f);
    OptimizerConfig adam = OptimizerConfig.sgd(0.01f).withKind(OptimizerKind.ADAM).withWeightDecay(0.1f);
    ParameterOptimizer opt = new ParameterOptimizer(p, adam, 0);
    opt.setScale(frozen, 0f);
    opt.setScale(slow, 0.1f);
    opt.setRowScale(table, 1, 0f);
    float[] before = p.values().clone();
    for (int step = 0; step < 5; step++) {
      Arrays.fill(p.grads(), 1f);
      for (int row = 0; row < 4; row++) {
        p.touched(table).add(row);
      }
      opt.step();
    }
    assertThat(slice(p, frozen)).isEqualTo(slice(before, frozen));
    assertThat(Arrays.copyOfRange(p.values(), table.offset() + 3, table.offset() + 6)).as("frozen row")
        .isEqualTo(Arrays.copyOfRange(before, table.offset() + 3, table.offset() + 6));
    float freeMove = before[free.offset()] - p.values()[free.offset()];
    float slowMove = before[slow.offset()] - p.values()[slow.offset()];
    assertThat(freeMove).isPositive();
    assertThat(slowMove / freeMove).isCloseTo(0.1f, org.assertj.core.data.Offset.offset(0.01f));
    assertThat(p.values()[table.offset()]).as("a free row learns").isLessThan(0.5f);
    opt.clearScales();
    assertThat(opt.scale(frozen)).isEqualTo(1f);
    assertThatThrownBy(() -> opt.setScale(free, -1f)).hasMessageContaining(">= 0");
    assertThatThrownBy(() -> opt.setRowScale(free, 0, 0f)).hasMessageContaining("not an embedding table");
  }

  private static float[] slice(ParameterSet p, Tensor t) {
    return slice(p.values(), t);
  }

  private static float[] slice(float[] values, Tensor t) {
    return Arrays.copyOfRange(values, t.offset(), t.offset() + t.size());
  }
}
