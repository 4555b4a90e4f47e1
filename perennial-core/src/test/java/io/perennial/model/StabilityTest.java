package io.perennial.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Forgetting protection changes what a fine-tune does to the rows it touches. */
class StabilityTest {

  /** Block-0 user 3 suddenly interacts with many block-1 items: a fine-tune wants to move it far. */
  private static InteractionLog shift() {
    InteractionLog events = new InteractionLog();
    for (int i = Fixtures.ITEMS / 2; i < Fixtures.ITEMS / 2 + 15; i++) {
      events.add(3, i, 1f, 1_000_000 + i, InteractionType.VIEW);
    }
    return events;
  }

  private static double moved(String algorithm, Stability stability) {
    Dataset data = Fixtures.implicitCheckerboard(1);
    FactorModel model = (FactorModel) Algorithms.trainer(algorithm, null).fit(data);
    int k = model.factors();
    float[] before = Arrays.copyOfRange(model.userFactors(), 3 * k, 4 * k);
    model.partialFit(shift(), new InteractionLog(1), Fixtures.USERS, Fixtures.ITEMS, stability);
    double squared = 0;
    for (int d = 0; d < k; d++) {
      double diff = model.userFactors()[3 * k + d] - before[d];
      squared += diff * diff;
    }
    return Math.sqrt(squared);
  }

  @Test
  void anAnchorHoldsIalsRowsNearTheirPreviousValues() {
    double free = moved("ials", Stability.none());
    double anchored = moved("ials", new Stability(500f, false, 0f));
    assertThat(free).isPositive();
    assertThat(anchored).isLessThan(free * 0.5);
  }

  @Test
  void aFisherWeightedAnchorHoldsIalsRowsAndWeighsDimensionsByTheirEvidence() {
    double free = moved("ials", Stability.none());
    double uniform = moved("ials", new Stability(500f, false, 0f));
    double ewc = moved("ials", new Stability(500f, true, 0f));
    assertThat(ewc).isLessThan(free * 0.5);
    // the same strength spread by the Fisher weights is another minimiser, not the uniform pull
    assertThat(ewc).isNotCloseTo(uniform, org.assertj.core.data.Percentage.withPercentage(1));
  }

  @Test
  void anAnchorAndDistillationHoldBprRowsNearTheirPreviousValues() {
    double free = moved("bpr", Stability.none());
    assertThat(moved("bpr", new Stability(5f, false, 0f))).isLessThan(free);
    assertThat(moved("bpr", new Stability(5f, true, 0f))).isLessThan(free);
    assertThat(moved("bpr", new Stability(0f, false, 5f))).isNotEqualTo(free);
  }
}
