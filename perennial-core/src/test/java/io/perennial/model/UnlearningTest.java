package io.perennial.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadReport;
import io.perennial.model.ials.IalsConfig;
import io.perennial.model.ials.IalsModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Forgetting a user: the row, the items only they touched, and the shared items' guarantee. */
class UnlearningTest {

  private static final int VICTIM = Fixtures.USERS;
  private static final int SOLO_ITEM = Fixtures.ITEMS;
  private static final int[] SHARED = {0, 1, 2, 3, 4};

  /** The checkerboard plus one user who rated five popular items and the only events of one more. */
  static Dataset withVictim(boolean ratings) {
    Dataset base = ratings ? Fixtures.explicitCheckerboard(7) : Fixtures.implicitCheckerboard(7);
    InteractionLog log = base.log().copy();
    long t = 1_000_000;
    for (int item : SHARED) {
      log.add(VICTIM, item, ratings ? 1f : 1f, t++, ratings ? InteractionType.RATING : InteractionType.VIEW);
    }
    for (int n = 0; n < 3; n++) {
      log.add(VICTIM, SOLO_ITEM, ratings ? 5f : 1f, t++, ratings ? InteractionType.RATING : InteractionType.VIEW);
    }
    IdIndex users = base.users().copy();
    users.getOrAdd("victim");
    IdIndex items = base.items().copy();
    items.getOrAdd("solo");
    return new Dataset(users, items, log, new ReadReport(log.size(), log.size(), Map.of(), 0, 0, List.of()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ials", "bpr", "mf"})
  void theUsersRowAndTheirOwnItemGoBackToThePrior(String algorithm) {
    Dataset data = withVictim(algorithm.equals("mf"));
    FactorModel model = (FactorModel) Algorithms.trainer(algorithm, null).fit(data);
    int k = model.factors();
    assertThat(model.popularity()[SOLO_ITEM]).isEqualTo(3f);
    assertThat(norm(model.itemFactors(), SOLO_ITEM, k)).isGreaterThan(0f);

    Unlearning result = model.forgetUser(VICTIM, new int[] {0, 1, 2, 3, 4, SOLO_ITEM, SOLO_ITEM, SOLO_ITEM});

    assertThat(norm(model.userFactors(), VICTIM, k)).isZero();
    assertThat(norm(model.itemFactors(), SOLO_ITEM, k)).isZero();
    if (model.itemBias() != null) {
      assertThat(model.itemBias()[SOLO_ITEM]).isZero();
    }
    assertThat(model.popularity()[SOLO_ITEM]).isZero();
    assertThat(model.history().items(VICTIM)).isEmpty();
    assertThat(model.recommend(VICTIM, 5, true, null).fallback()).isTrue();
    assertThat(result.itemsTouched()).isEqualTo(6);
    assertThat(result.itemsReset()).isEqualTo(1);
    assertThat(result.itemsResolved()).isEqualTo(SHARED.length);
    assertThat(result.guarantee()).isEqualTo(algorithm.equals("ials") ? Unlearning.Guarantee.EXACT
        : Unlearning.Guarantee.APPROXIMATE);
    assertThat(ModelHealth.check(model, 1000f).healthy()).isTrue();
  }

  /**
   * iALS's item rows after forgetting satisfy the item half-step's normal equations over the other
   * users, computed here independently in double precision: {@code (XᵀX + Σ α r x xᵀ + λI) y = Σ (1 + α r) x}.
   */
  @Test
  void ialsSharedItemsSolveTheirNormalEquationsWithoutTheUser() {
    IalsModel model = (IalsModel) Algorithms.trainer("ials", null).fit(withVictim(false));
    model.forgetUser(VICTIM, null);
    IalsConfig c = model.config();
    int k = model.factors();
    float[] x = model.userFactors();
    for (int item : SHARED) {
      double[][] a = new double[k][k];
      double[] b = new double[k];
      for (int u = 0; u < model.userCount(); u++) {
        double r = 0;
        int at = java.util.Arrays.binarySearch(model.history().items(u), item);
        if (at >= 0) {
          r = model.history().values(u)[at];
        }
        assertThat(u == VICTIM && at >= 0).isFalse();
        for (int p = 0; p < k; p++) {
          b[p] += r > 0 ? (1 + c.alpha() * r) * x[u * k + p] : 0;
          for (int q = 0; q < k; q++) {
            a[p][q] += (1 + c.alpha() * r) * x[u * k + p] * x[u * k + q];
          }
        }
      }
      double worst = 0;
      double scale = 0;
      for (int p = 0; p < k; p++) {
        double lhs = c.regularization() * model.itemFactors()[item * k + p];
        for (int q = 0; q < k; q++) {
          lhs += a[p][q] * model.itemFactors()[item * k + q];
        }
        worst = Math.max(worst, Math.abs(lhs - b[p]));
        scale = Math.max(scale, Math.abs(b[p]));
      }
      assertThat(worst / scale).as("relative residual of item %d", item).isLessThan(1e-3);
    }
  }

  @Test
  void forgettingAnUnknownUserChangesNothing() {
    FactorModel model = (FactorModel) Algorithms.trainer("bpr", null).fit(withVictim(false));
    float[] before = model.itemFactors().clone();
    Unlearning result = model.forgetUser(model.userCount() + 5, null);
    assertThat(result.itemsTouched()).isZero();
    assertThat(result.needsRetrain()).isFalse();
    assertThat(model.itemFactors()).containsExactly(before, within(0f));
  }

  private static float norm(float[] table, int row, int k) {
    double s = 0;
    for (int d = 0; d < k; d++) {
      s += (double) table[row * k + d] * table[row * k + d];
    }
    return (float) Math.sqrt(s);
  }
}
