package io.perennial.model.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.Fixtures;
import io.perennial.model.Recommender;
import io.perennial.model.Update;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FusionTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void candidatesAreTheUnionOfEachMembersTopUnseenItems() {
    float[][] scores = {
        {9, 8, 7, 6, 5, 4},
        {0, 1, 2, 3, 4, 5},
    };
    int[] seen = {0};
    // member 0's top 2 unseen: 1, 2; member 1's: 5, 4
    assertThat(Calibrated.union(scores, 6, seen, 2)).containsExactly(1, 2, 4, 5);
    assertThat(Calibrated.union(scores, 6, seen, 0)).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  void calibrationsFollowTheirFormulas() {
    float[] raw = {3, 1, 2};
    float[] z = new float[3];
    double mean = Calibrated.meanOf(raw);
    double sd = Calibrated.deviationOf(raw, mean);
    Calibrated.zScores(raw, mean, sd, z);
    assertThat(mean).isEqualTo(2.0);
    assertThat(z[0]).isCloseTo((float) (1 / Math.sqrt(2.0 / 3)), within(1e-5f));
    assertThat(z[2]).isZero();
    float[] rank = new float[3];
    Calibrated.rankScores(raw, rank);
    assertThat(rank[0]).isEqualTo(1f);
    assertThat(rank[1]).isCloseTo(1f / 3, within(1e-6f));
    assertThat(rank[2]).isCloseTo(2f / 3, within(1e-6f));
    float[] rrf = new float[3];
    Calibrated.reciprocalRanks(raw, 60, rrf);
    assertThat(rrf).containsExactly(1f / 61, 1f / 63, 1f / 62);
    // a member that scores every candidate alike says nothing
    float[] flat = {2, 2, 2};
    float[] none = new float[3];
    Calibrated.zScores(flat, 2, 0, none);
    assertThat(none).containsOnly(0f);
  }

  @Test
  void fusedScoresRankCandidatesFirstAndTheRestByWeightedZScore() {
    float[][] scores = {
        {10, 9, 1, 2, 3, 0},
        {10, 8, 2, 1, 0, 3},
    };
    Calibrated c = Calibrated.of(scores, 6, new int[0], 2, "zscore", 60);
    assertThat(c.items).containsExactly(0, 1);
    float[] out = new float[6];
    c.fuse(new float[] {0.5f, 0.5f}, scores, out, 6);
    assertThat(out[0]).isGreaterThan(out[1]);
    float floor = Math.min(out[0], out[1]);
    for (int i = 2; i < 6; i++) {
      assertThat(out[i]).as("item %d outside the candidates", i).isLessThan(floor - 1);
    }
    // outside, by 0.5 (s0 − 9.5) / 0.5 + 0.5 (s1 − 9) / 1 against the candidates' means and deviations:
    // item 4 (−11) above 3 (−11.5) above 2 (−12) above 5 (−12.5)
    assertThat(out[4]).isGreaterThan(out[3]);
    assertThat(out[3]).isGreaterThan(out[2]);
    assertThat(out[2]).isGreaterThan(out[5]);
  }

  @Test
  void stackingRecoversTheWeightOfTheMemberKnownToBeBetter() {
    // 200 users, 100 candidates each, 5 relevant: member 0 sees relevance through a little noise,
    // member 1 through much more, member 2 not at all.
    SplittableRandom random = new SplittableRandom(7);
    List<WeightFit.Example> examples = new ArrayList<>();
    int items = 100;
    for (int u = 0; u < 200; u++) {
      boolean[] relevant = new boolean[items];
      for (int r = 0; r < 5; r++) {
        relevant[random.nextInt(items)] = true;
      }
      float[][] scores = new float[3][items];
      for (int i = 0; i < items; i++) {
        float truth = relevant[i] ? 1 : 0;
        scores[0][i] = truth + (float) (0.4 * gaussian(random));
        scores[1][i] = truth + (float) (1.5 * gaussian(random));
        scores[2][i] = (float) gaussian(random);
      }
      int total = 0;
      for (boolean b : relevant) {
        total += b ? 1 : 0;
      }
      examples.add(new WeightFit.Example(Calibrated.of(scores, items, new int[0], 0, "zscore", 60), relevant, total));
    }
    WeightFit.Fit fit = WeightFit.fit(examples, 3, 10);
    assertThat(fit.weights()[0]).isGreaterThan(0.6f);
    assertThat(fit.weights()[0]).isGreaterThan(fit.weights()[1]);
    assertThat(fit.weights()[2]).isLessThan(0.1f);
    assertThat(fit.weights()[0] + fit.weights()[1] + fit.weights()[2]).isCloseTo(1f, within(1e-5f));
    assertThat(fit.ndcg()).isGreaterThan(fit.equalNdcg());
    assertThat(fit.ndcg()).isGreaterThanOrEqualTo(WeightFit.ndcg(examples, new float[] {1, 0, 0}, 10));
  }

  @Test
  void stackedFusionGivesTheRandomMemberLittleWeight() {
    // the generator's users have tastes item-kNN can learn; the checkerboard's blocks would not do,
    // since inside a block every item is equally likely and chance orders them as well as any model
    Dataset data = io.perennial.data.SyntheticGenerator.generate(
        io.perennial.data.SyntheticConfig.defaults().withEvents(20_000));
    FusionModel model = (FusionModel) Algorithms.trainer("fusion",
        JSON.valueToTree(Map.of("members", List.of("itemknn", "random")))).fit(data);
    assertThat(model.weights()[0]).isGreaterThan(0.7f);
    assertThat(model.validationNdcg()).isGreaterThan(model.equalWeightsNdcg());
    assertThat(model.members()).extracting(Recommender::type).containsExactly("itemknn", "random");
  }

  @Test
  void fixedWeightsAndReciprocalRankFusionUseTheGivenWeights() {
    Dataset data = Fixtures.implicitCheckerboard(4);
    FusionModel only = (FusionModel) Algorithms.trainer("fusion", JSON.valueToTree(Map.of(
        "members", List.of("itemknn", "random"), "method", "weighted", "weights", List.of(1, 0)))).fit(data);
    Recommender knn = only.members().get(0);
    for (int u : new int[] {0, 31, 59}) {
      assertThat(only.recommend(u, 5, true, null).ids()).containsExactly(knn.recommend(u, 5, true, null).ids());
    }
    FusionModel rrf = (FusionModel) Algorithms.trainer("fusion", JSON.valueToTree(Map.of(
        "members", List.of("itemknn", "bpr"), "method", "rrf"))).fit(data);
    assertThat(rrf.weights()).containsExactly(0.5f, 0.5f);
    float[] scores = new float[data.itemCount()];
    rrf.scoreItems(0, scores);
    int top = rrf.recommend(0, 1, true, null).ids()[0];
    // an RRF score is at most Σ w / (k + 1)
    assertThat(scores[top]).isLessThanOrEqualTo(1f / 61 + 1e-6f).isPositive();
  }

  @Test
  void updatesReachEveryMember() {
    Dataset data = Fixtures.implicitCheckerboard(5);
    FusionModel model = (FusionModel) Algorithms.trainer("fusion", JSON.valueToTree(Map.of(
        "members", List.of("itemknn", "bpr"), "method", "weighted"))).fit(data);
    var events = new io.perennial.data.InteractionLog();
    events.add(Fixtures.USERS, 3, 1f, 1, io.perennial.data.InteractionType.VIEW);
    model.partialFit(Update.of(events, Fixtures.USERS + 1, Fixtures.ITEMS + 2));
    assertThat(model.members()).allSatisfy(m -> assertThat(m.itemCount()).isEqualTo(Fixtures.ITEMS + 2));
    model.learnOnline(Fixtures.USERS + 1, 4, 1f, 2);
    assertThat(model.userCount()).isEqualTo(Fixtures.USERS + 2);
    assertThat(model.members()).allSatisfy(m -> assertThat(m.userCount()).isEqualTo(Fixtures.USERS + 2));
  }

  @Test
  void badConfigsAreNamed() {
    assertThatThrownBy(() -> Algorithms.trainer("fusion", JSON.valueToTree(Map.of("members", List.of("ials", "nope")))))
        .hasMessageContaining("'nope' is not a model that can be fused");
    assertThatThrownBy(() -> Algorithms.trainer("fusion", JSON.valueToTree(Map.of("members", List.of("ials", "ials")))))
        .hasMessageContaining("'ials' is listed twice");
    assertThatThrownBy(() -> Algorithms.trainer("fusion", JSON.valueToTree(Map.of("members", List.of("fusion")))))
        .hasMessageContaining("'fusion' is not a model that can be fused");
    assertThatThrownBy(() -> Algorithms.trainer("fusion", JSON.valueToTree(Map.of(
        "members", List.of("ials", "bpr"), "weights", List.of(1)))))
        .hasMessageContaining("weights: 1 given for 2 members");
    assertThatThrownBy(() -> Algorithms.trainer("fusion", JSON.valueToTree(Map.of(
        "memberConfigs", Map.of("ials", Map.of("factorz", 3))))))
        .hasMessageContaining("fusion member ials").hasMessageContaining("factorz");
    assertThatThrownBy(() -> Algorithms.trainer("fusion", JSON.valueToTree(Map.of(
        "memberConfigs", Map.of("mf", Map.of("factors", 3))))))
        .hasMessageContaining("'mf' is not one of the members");
  }

  @Test
  void theHoldoutKeepsEachUsersLatestEvents() {
    var log = new io.perennial.data.InteractionLog();
    for (int t = 0; t < 10; t++) {
      log.add(0, t, 1f, 100 - t, io.perennial.data.InteractionType.VIEW); // newest first in the log
    }
    log.add(1, 0, 1f, 5, io.perennial.data.InteractionType.VIEW);
    FusionTrainer.Holdout h = FusionTrainer.Holdout.latest(log, 0.2);
    assertThat(h.validation().size()).isEqualTo(2);
    // the two latest events of user 0 (timestamps 100 and 99: items 0 and 1); user 1's single event stays
    assertThat(new int[] {h.validation().item(0), h.validation().item(1)}).containsExactlyInAnyOrder(0, 1);
    assertThat(h.fit().size()).isEqualTo(9);
  }

  private static double gaussian(SplittableRandom random) {
    double u = Math.max(1e-12, random.nextDouble());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
