package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.perennial.optim.OptimizerConfig;
import io.perennial.optim.OptimizerKind;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ParameterSetTest {

  @Test
  void tensorsAreContiguousNamedViewsOfOneAllocation() {
    ParameterSet.Builder b = ParameterSet.builder();
    Tensor w = b.dense("w", true, 3, 4);
    Tensor t = b.table("items", 5, 2);
    Tensor bias = b.dense("b", false, 4);
    ParameterSet p = b.build();
    assertThat(p.size()).isEqualTo(12 + 10 + 4);
    assertThat(p.grads()).hasSameSizeAs(p.values());
    assertThat(new int[] {w.offset(), t.offset(), bias.offset()}).containsExactly(0, 12, 22);
    assertThat(new int[] {w.rows(), w.cols(), bias.rows(), bias.cols()}).containsExactly(3, 4, 1, 4);
    assertThat(p.tensor("items")).isSameAs(t);
    assertThat(t.isTable()).isTrue();
    assertThat(bias.decays()).isFalse();
    assertThatThrownBy(() -> p.tensor("nope")).hasMessageContaining("nope");
    assertThatThrownBy(() -> p.touched(w)).hasMessageContaining("not an embedding table");
    assertThatThrownBy(() -> b.dense("w2", true, 1)).isInstanceOf(IllegalStateException.class);
    ParameterSet.Builder dup = ParameterSet.builder();
    dup.dense("x", true, 2);
    assertThatThrownBy(() -> dup.dense("x", true, 2)).hasMessageContaining("duplicate");
  }

  @Test
  void zeroGradClearsDenseTensorsAndTouchedTableRows() {
    ParameterSet.Builder b = ParameterSet.builder();
    b.dense("w", true, 3);
    Tensor t = b.table("items", 4, 2);
    b.dense("b", false, 2);
    ParameterSet p = b.build();
    Arrays.fill(p.grads(), 0f);
    for (int i = 0; i < 3; i++) {
      p.grads()[i] = 1;
    }
    p.grads()[t.offset() + 2 * 2] = 5;
    p.touched(t).add(2);
    p.grads()[p.size() - 1] = 7;
    p.zeroGrad();
    assertThat(p.grads()).containsOnly(0f);
    assertThat(p.touched(t).size()).isZero();
  }

  @Test
  void globalNormClippingScalesEveryGradientByOneFactor() {
    ParameterSet.Builder b = ParameterSet.builder();
    Tensor w = b.dense("w", true, 2);
    Tensor t = b.table("items", 3, 1);
    ParameterSet p = b.build();
    p.grads()[w.offset()] = 3;
    p.grads()[t.offset() + 1] = 4;
    p.touched(t).add(1);
    assertThat(p.gradSquaredNorm()).isEqualTo(25.0);
    assertThat(p.clipGradNorm(1.0)).isEqualTo(5.0);
    assertThat(p.grads()[w.offset()]).isCloseTo(0.6f, within(1e-6f));
    assertThat(p.grads()[t.offset() + 1]).isCloseTo(0.8f, within(1e-6f));
    assertThat(p.clipGradNorm(10.0)).isCloseTo(1.0, within(1e-6));
    assertThat(p.grads()[w.offset()]).isCloseTo(0.6f, within(1e-6f));
  }

  @Test
  void adamWDecaysWeightsButNotBiasesOrLayerNormParameters() {
    ParameterSet.Builder b = ParameterSet.builder();
    Tensor w = b.dense("w", true, 2);
    Tensor bias = b.dense("b", false, 2);
    ParameterSet p = b.build();
    Arrays.fill(p.values(), 1f);
    OptimizerConfig adamW = OptimizerConfig.sgd(0.1f).withKind(OptimizerKind.ADAM).withWeightDecay(0.5f);
    ParameterOptimizer opt = new ParameterOptimizer(p, adamW, 0);
    // zero gradient: Adam moves nothing, so only the decay can change a value
    double norm = opt.step();
    assertThat(norm).isZero();
    assertThat(p.values()[w.offset()]).isCloseTo(1 - 0.1f * 0.5f, within(1e-6f));
    assertThat(p.values()[bias.offset()]).isEqualTo(1f);
  }

  @Test
  void stepReportsTheNormBeforeClippingAndZeroesGradients() {
    ParameterSet.Builder b = ParameterSet.builder();
    Tensor w = b.dense("w", true, 1);
    ParameterSet p = b.build();
    p.grads()[w.offset()] = 10;
    ParameterOptimizer opt = new ParameterOptimizer(p, OptimizerConfig.sgd(0.1f), 1.0);
    assertThat(opt.step()).isEqualTo(10.0);
    // clipped to norm 1, then SGD at rate 0.1
    assertThat(p.values()[w.offset()]).isCloseTo(-0.1f, within(1e-6f));
    assertThat(p.grads()).containsOnly(0f);
  }

  @Test
  void activationsAreOneAllocationWithTwinGradients() {
    Activations.Builder b = Activations.builder();
    Tensor x = b.add("x", 8, 4);
    Tensor h = b.add("h", 8, 16);
    Activations acts = b.build();
    assertThat(acts.size()).isEqualTo(32 + 128);
    assertThat(h.offset()).isEqualTo(x.offset() + x.size());
    assertThat(acts.tensor("h")).isSameAs(h);
    acts.grads()[h.offset() + 3] = 2;
    acts.zeroGrad();
    assertThat(acts.grads()).containsOnly(0f);
    assertThatThrownBy(() -> b.add("x", 1)).hasMessageContaining("duplicate");
  }
}
