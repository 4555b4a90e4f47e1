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
    model.partialFit(Update.of(shift(), Fixtures.USERS, Fixtures.ITEMS).withStability(stability));
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

  /** Block-0 users 0..9 all move to block-1 items: a fine-tune that forgets rewrites their tastes. */
  private static InteractionLog driftOfManyUsers() {
    InteractionLog events = new InteractionLog();
    for (int u = 0; u < 10; u++) {
      for (int i = Fixtures.ITEMS / 2; i < Fixtures.ITEMS / 2 + 10; i++) {
        events.add(u, i, 1f, 2_000_000 + u * 100 + i, InteractionType.VIEW);
      }
    }
    return events;
  }

  /** Mean |P_a(u prefers i over j) − P_b(…)| over every user and a fixed set of item pairs. */
  private static double disagreement(FactorModel a, FactorModel b) {
    double sum = 0;
    int n = 0;
    for (int u = 0; u < Fixtures.USERS; u++) {
      for (int p = 0; p < 40; p++) {
        int i = (p * 7) % Fixtures.ITEMS;
        int j = (p * 13 + 5) % Fixtures.ITEMS;
        sum += Math.abs(sigmoid(a.score(u, i) - a.score(u, j)) - sigmoid(b.score(u, i) - b.score(u, j)));
        n++;
      }
    }
    return sum / n;
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  @Test
  void distillationFromAnOlderTeacherPullsTheModelBackTowardIt() {
    FactorModel original = (FactorModel) Algorithms.trainer("bpr", null).fit(Fixtures.implicitCheckerboard(1));
    FactorModel drifted = (FactorModel) Algorithms.copy(original);
    drifted.partialFit(Update.of(driftOfManyUsers(), Fixtures.USERS, Fixtures.ITEMS));
    Stability distil = new Stability(0f, false, 5f, 10);
    InteractionLog next = driftOfManyUsers();
    FactorModel fromItself = (FactorModel) Algorithms.copy(drifted);
    fromItself.partialFit(Update.of(next, Fixtures.USERS, Fixtures.ITEMS).withStability(distil));
    FactorModel fromTeacher = (FactorModel) Algorithms.copy(drifted);
    fromTeacher.partialFit(Update.of(next, Fixtures.USERS, Fixtures.ITEMS).withStability(distil).withTeacher(original));
    assertThat(disagreement(original, drifted)).isPositive();
    assertThat(disagreement(fromTeacher, original)).isLessThan(disagreement(fromItself, original) * 0.9);
  }

  @Test
  void aTeacherMustServeAtLeastOneUpdate() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Stability(0f, false, 1f, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("teacherUpdates");
  }

  @Test
  void anAnchorAndDistillationHoldBprRowsNearTheirPreviousValues() {
    double free = moved("bpr", Stability.none());
    assertThat(moved("bpr", new Stability(5f, false, 0f))).isLessThan(free);
    assertThat(moved("bpr", new Stability(5f, true, 0f))).isLessThan(free);
    assertThat(moved("bpr", new Stability(0f, false, 5f))).isNotEqualTo(free);
  }
}
