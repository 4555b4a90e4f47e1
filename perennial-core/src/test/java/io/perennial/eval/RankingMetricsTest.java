package io.perennial.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RankingMetricsTest {

  private static final int[] RANKED = {5, 3, 9, 1, 7};
  private static final int[] RELEVANT = {1, 3, 8};

  @Test
  void precisionRecallF1AndHitRate() {
    // hits in top 5: items 3 (rank 2) and 1 (rank 4)
    assertThat(RankingMetrics.precision(RANKED, 5, RELEVANT)).isCloseTo(0.4, within(1e-12));
    assertThat(RankingMetrics.recall(RANKED, 5, RELEVANT)).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(RankingMetrics.f1(RANKED, 5, RELEVANT)).isCloseTo(2 * 0.4 * (2.0 / 3) / (0.4 + 2.0 / 3), within(1e-12));
    assertThat(RankingMetrics.hitRate(RANKED, 1, RELEVANT)).isZero();
    assertThat(RankingMetrics.hitRate(RANKED, 2, RELEVANT)).isEqualTo(1);
  }

  @Test
  void ndcgMrrAndMap() {
    double dcg = 1 / (Math.log(3) / Math.log(2)) + 1 / (Math.log(5) / Math.log(2));
    double idcg = 1 + 1 / (Math.log(3) / Math.log(2)) + 1 / (Math.log(4) / Math.log(2));
    assertThat(RankingMetrics.ndcg(RANKED, 5, RELEVANT)).isCloseTo(dcg / idcg, within(1e-12));
    assertThat(RankingMetrics.ndcg(new int[] {1, 3, 8}, 3, RELEVANT)).isCloseTo(1, within(1e-12));
    assertThat(RankingMetrics.reciprocalRank(RANKED, 5, RELEVANT)).isCloseTo(0.5, within(1e-12));
    // AP@5 = (1/2 + 2/4) / min(3, 5)
    assertThat(RankingMetrics.averagePrecision(RANKED, 5, RELEVANT)).isCloseTo(1.0 / 3, within(1e-12));
  }

  @Test
  void aucCountsCorrectlyOrderedPairs() {
    float[] scores = {0.9f, 0.1f, 0.5f, 0.5f, 0.3f};
    boolean[] candidate = {true, true, true, true, false};
    // relevant {0, 3}; negatives among candidates {1, 2}: pairs (0>1, 0>2, 3>1, 3=2) = 3.5/4
    assertThat(RankingMetrics.auc(scores, candidate, new int[] {0, 3})).isCloseTo(0.875, within(1e-12));
    assertThat(RankingMetrics.auc(scores, candidate, new int[] {})).isNaN();
  }
}
