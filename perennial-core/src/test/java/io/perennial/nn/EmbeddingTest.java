package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.perennial.kernel.VectorOps;
import io.perennial.optim.Optimizer;
import io.perennial.optim.OptimizerConfig;
import io.perennial.optim.OptimizerKind;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EmbeddingTest {
  private static final int V = 7;
  private static final int C = 3;
  /** Repeated ids and a padding position (-1). */
  private static final int[] IDS = {2, 5, 2, -1, 0};
  private static final int BT = IDS.length;

  private static Embedding embedding(ParameterSet.Builder b) {
    return new Embedding(b, "items", V, C);
  }

  @Test
  void tableGradientMatchesFiniteDifferencesAndPaddingGivesZeroRow() {
    ParameterSet.Builder b = ParameterSet.builder();
    Embedding e = embedding(b);
    ParameterSet p = b.build();
    e.init(p, 0.5f, new SplittableRandom(1));
    float[] r = Fill.uniform(BT * C, 1f, 2);
    float[] out = new float[BT * C];
    e.forward(p.values(), out, 0, IDS, 0, BT);
    assertThat(java.util.Arrays.copyOfRange(out, 3 * C, 4 * C)).containsOnly(0f);
    e.backward(p.grads(), p.touched(e.table()), r, 0, IDS, 0, BT);
    GradientCheck.assertGradient("items", p.values(), p.grads(), () -> {
      e.forward(p.values(), out, 0, IDS, 0, BT);
      return Fill.project(out, 0, r);
    });
  }

  @Test
  void sparseRowGradientsEqualTheDenseOneHotProduct() {
    ParameterSet.Builder b = ParameterSet.builder();
    Embedding e = embedding(b);
    ParameterSet p = b.build();
    e.init(p, 0.5f, new SplittableRandom(3));
    float[] dout = Fill.uniform(BT * C, 1f, 4);
    e.backward(p.grads(), p.touched(e.table()), dout, 0, IDS, 0, BT);
    // dense reference: out = onehot (BT, V) · E (V, C), so dE = onehotᵀ · dout
    float[] onehot = new float[BT * V];
    for (int r = 0; r < BT; r++) {
      if (IDS[r] >= 0) {
        onehot[r * V + IDS[r]] = 1;
      }
    }
    float[] dense = new float[V * C];
    VectorOps.matMulTransA(onehot, 0, dout, 0, dense, 0, V, BT, C, false);
    for (int i = 0; i < V * C; i++) {
      assertThat(p.grads()[e.table().offset() + i]).isCloseTo(dense[i], within(1e-6f));
    }
    RowSet touched = p.touched(e.table());
    assertThat(touched.size()).isEqualTo(3);
    assertThat(new int[] {touched.get(0), touched.get(1), touched.get(2)}).containsExactly(2, 5, 0);
  }

  @Test
  void sgdOnTouchedRowsEqualsADenseStepAndAdamLeavesUntouchedRowsAlone() {
    for (OptimizerKind kind : new OptimizerKind[] {OptimizerKind.SGD, OptimizerKind.ADAM}) {
      ParameterSet.Builder b = ParameterSet.builder();
      Embedding e = embedding(b);
      ParameterSet p = b.build();
      e.init(p, 0.5f, new SplittableRandom(5));
      float[] before = p.values().clone();
      float[] dout = Fill.uniform(BT * C, 1f, 6);
      OptimizerConfig config = OptimizerConfig.sgd(0.1f).withKind(kind);
      float[] denseTable = before.clone();
      float[] denseGrad = new float[V * C];
      e.backward(p.grads(), p.touched(e.table()), dout, 0, IDS, 0, BT);
      System.arraycopy(p.grads(), e.table().offset(), denseGrad, 0, V * C);
      new ParameterOptimizer(p, config, 0).step();
      new Optimizer(config, V, C).stepDense(denseTable, denseGrad);
      for (int row = 0; row < V; row++) {
        boolean touched = row == 0 || row == 2 || row == 5;
        for (int i = 0; i < C; i++) {
          int at = row * C + i;
          if (touched || kind == OptimizerKind.SGD) {
            assertThat(p.values()[at]).as("%s row %d", kind, row).isCloseTo(denseTable[at], within(1e-6f));
          }
          if (!touched) {
            assertThat(p.values()[at]).as("%s untouched row %d", kind, row).isEqualTo(before[at]);
          } else {
            assertThat(p.values()[at]).isNotEqualTo(before[at]);
          }
        }
      }
      assertThat(p.grads()).containsOnly(0f);
      assertThat(p.touched(e.table()).size()).isZero();
    }
  }
}
