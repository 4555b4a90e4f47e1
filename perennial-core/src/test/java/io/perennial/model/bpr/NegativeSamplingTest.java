package io.perennial.model.bpr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.Fixtures;
import io.perennial.model.Recommender;
import io.perennial.model.UserHistory;
import java.util.BitSet;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The negative samplers and history dropout of BPR (issue 16). */
class NegativeSamplingTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A 1-user, 6-item BPR model whose item scores are 0, 1, …, 5 (item 5 scores highest). */
  private static BprModel ramp(NegativeSampling sampling) {
    BprConfig d = BprConfig.defaults();
    BprConfig config = new BprConfig(1, 0, d.learningRate(), d.learningRateDecay(), d.regularization(),
        d.biasRegularization(), d.initScale(), sampling, d.popularityExponent(), d.samplesPerEpoch(), d.optimizer(),
        1, 1, d.foldInSteps(), d.partialFitEpochs(), d.onlineSteps(), d.onlineReplay(), 3, 0f, null, 0, null, null, false);
    float[] itemFactors = {0, 1, 2, 3, 4, 5};
    return new BprModel(config, new UserHistory(1), new float[6], 1, 6, new float[] {1f}, itemFactors, new float[6]);
  }

  @Test
  void hardNegativesAreTheHighestScoredOfTheirCandidates() {
    BprModel model = ramp(NegativeSampling.HARD);
    BprTrainer.FastRandom random = new BprTrainer.FastRandom(3);
    int[] counts = new int[6];
    for (int n = 0; n < 6_000; n++) {
      counts[BprTrainer.hardest(model, 0, 3, random)]++;
    }
    // the maximum of 3 uniform draws over 6 ranks: P(item r) = ((r+1)^3 − r^3) / 216
    for (int r = 0; r < 6; r++) {
      double expected = (Math.pow(r + 1, 3) - Math.pow(r, 3)) / 216 * 6_000;
      assertThat((double) counts[r]).as("item %d", r).isBetween(expected * 0.8 - 10, expected * 1.2 + 10);
    }
    // with many candidates it is the model's top item almost always; with one, a uniform draw
    assertThat(BprTrainer.hardest(model, 0, 200, random)).isEqualTo(5);
    int[] single = new int[6];
    for (int n = 0; n < 6_000; n++) {
      single[BprTrainer.hardest(model, 0, 1, random)]++;
    }
    for (int c : single) {
      assertThat(c).isBetween(850, 1150);
    }
  }

  @Test
  void hardNegativesSkipLikedItemsBeforeChoosingTheHardest() {
    BprModel model = ramp(NegativeSampling.HARD);
    model.history().add(0, 5, 1f); // the user's liked items are the two the model scores highest
    model.history().add(0, 4, 1f);
    BprTrainer.FastRandom random = new BprTrainer.FastRandom(11);
    for (int n = 0; n < 200; n++) {
      // with 200 candidates every item is drawn; the hardest not-liked one is item 3, never a liked one
      assertThat(BprTrainer.hardest(model, 0, 200, random)).isEqualTo(3);
    }
  }

  @Test
  void anEpochWithFewerUpdatesThanTheLossSamplingStrideStillReportsALoss() {
    BprModel model = ramp(NegativeSampling.UNIFORM);
    double loss = BprTrainer.sampledEpoch(model, new int[] {0}, new int[] {1}, 10, 0.01f, null,
        new SplittableRandom(1), null, null);
    assertThat(loss).isFinite().isPositive();
  }

  @Test
  void inBatchNegativesFollowThePositivesFrequencies() {
    BprModel model = ramp(NegativeSampling.IN_BATCH);
    long[] positives = {1, 1, 1, 4}; // user 0's pairs: item 1 three times as often as item 4, the rest never
    BprTrainer.FastRandom random = new BprTrainer.FastRandom(5);
    int[] counts = new int[6];
    for (int n = 0; n < 8_000; n++) {
      counts[BprTrainer.drawNegative(model, 0, positives, null, random)]++;
    }
    assertThat(counts[0] + counts[2] + counts[3] + counts[5]).isZero();
    assertThat(counts[1]).isBetween(5_700, 6_300);
  }

  @Test
  void historyDropoutLeavesOutItsShareAFreshSetEachEpoch() {
    SplittableRandom random = new SplittableRandom(9);
    BitSet first = BprTrainer.dropout(10_000, 0.25f, random);
    BitSet second = BprTrainer.dropout(10_000, 0.25f, random);
    assertThat(first.cardinality()).isBetween(2_300, 2_700);
    assertThat(second).isNotEqualTo(first);
    assertThat(BprTrainer.dropout(10_000, 0f, random)).isNull();
  }

  @Test
  void everySamplerAndDropoutStillLearnsTheCheckerboard() {
    Dataset data = Fixtures.implicitCheckerboard(2);
    for (Map<String, Object> overrides : new Map[] {Map.of("negativeSampling", "HARD"),
        Map.of("negativeSampling", "IN_BATCH"), Map.of("historyDropout", 0.2)}) {
      Recommender model = Algorithms.trainer("bpr", JSON.valueToTree(overrides)).fit(data);
      int inBlock = 0;
      int total = 0;
      for (int u = 0; u < Fixtures.USERS; u++) {
        for (int i : model.recommend(u, 5, true, null).ids()) {
          total++;
          inBlock += Fixtures.itemGroup(i) == Fixtures.userGroup(u) ? 1 : 0;
        }
      }
      assertThat((double) inBlock / total).as("%s", overrides).isGreaterThan(0.9);
    }
  }

  @Test
  void badSettingsAreRefusedAndOldCheckpointsGetTheDefaultCandidates() {
    assertThatThrownBy(() -> Algorithms.trainer("bpr", JSON.valueToTree(Map.of("historyDropout", 1))))
        .hasMessageContaining("historyDropout must be in [0, 1)");
    assertThatThrownBy(() -> Algorithms.trainer("bpr", JSON.valueToTree(Map.of("hardCandidates", -1))))
        .hasMessageContaining("hardCandidates must be >= 1");
    var old = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.valueToTree(BprConfig.defaults());
    old.remove("hardCandidates");
    old.remove("historyDropout");
    BprConfig restored = JSON.convertValue(old, BprConfig.class);
    assertThat(restored.hardCandidates()).isEqualTo(5);
    assertThat(restored.historyDropout()).isZero();
  }
}
