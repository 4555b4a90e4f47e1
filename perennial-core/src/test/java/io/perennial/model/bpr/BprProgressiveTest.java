package io.perennial.model.bpr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.Fixtures;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingOptions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Progressive widening and curriculum sampling in BPR. */
class BprProgressiveTest {

  private static BprModel train(String overrides) throws Exception {
    Dataset data = Fixtures.implicitCheckerboard(3);
    return (BprModel) Algorithms.trainer("bpr", new ObjectMapper().readTree(overrides))
        .fit(data, TrainingOptions.silent());
  }

  @Test
  void wideningPreservesEveryScoreAtTheMomentOfWidening() throws Exception {
    BprModel model = train("{\"factors\": 8, \"epochs\": 5}");
    int users = model.userCount();
    int items = model.itemCount();
    float[] before = new float[users * items];
    for (int u = 0; u < users; u++) {
      for (int i = 0; i < items; i++) {
        before[u * items + i] = model.score(u, i);
      }
    }
    model.widen(24, 0.05f, new SplittableRandom(1));
    assertThat(model.factors()).isEqualTo(24);
    float[] after = new float[users * items];
    for (int u = 0; u < users; u++) {
      for (int i = 0; i < items; i++) {
        after[u * items + i] = model.score(u, i);
      }
    }
    // the tables' products are unchanged exactly (the new user dimensions are zero); the SIMD dot of a
    // longer row adds its lanes in another order, so a score may differ in its last bit
    assertThat(after).containsExactly(before, org.assertj.core.api.Assertions.within(1e-6f));
    // the new item dimensions are small but not zero (so the user side gets a gradient); users' are zero
    float[] q = model.itemFactors();
    double newItemNorm = 0;
    for (int i = 0; i < items; i++) {
      for (int d = 8; d < 24; d++) {
        newItemNorm += q[i * 24 + d] * q[i * 24 + d];
        assertThat(Math.abs(q[i * 24 + d])).isLessThan(0.5f);
      }
    }
    assertThat(newItemNorm).isGreaterThan(0);
    for (int u = 0; u < users; u++) {
      for (int d = 8; d < 24; d++) {
        assertThat(model.userFactors()[u * 24 + d]).isZero();
      }
    }
  }

  @Test
  void progressiveTrainingEndsAtTheConfiguredWidthLearnsAndSurvivesACheckpoint() throws Exception {
    BprModel model = train("{\"factors\": 16, \"epochs\": 12, \"warmupEpochs\": 2,"
        + " \"progressive\": {\"factors\": [4, 8], \"widenAt\": [4, 8]}}");
    assertThat(model.factors()).isEqualTo(16);
    assertThat(Fixtures.checkerboardAuc(model)).isGreaterThan(0.9);
    Recommender restored = Algorithms.restore(model.state());
    assertThat(restored.score(3, 5)).isEqualTo(model.score(3, 5));
    // the appended dimensions learned: some user has a non-zero value past the first stage's width
    float[] p = model.userFactors();
    boolean moved = false;
    for (int u = 0; u < model.userCount() && !moved; u++) {
      for (int d = 8; d < 16; d++) {
        moved |= p[u * 16 + d] != 0;
      }
    }
    assertThat(moved).isTrue();
    // same seed, same model (one thread)
    BprModel again = train("{\"factors\": 16, \"epochs\": 12, \"warmupEpochs\": 2,"
        + " \"progressive\": {\"factors\": [4, 8], \"widenAt\": [4, 8]}}");
    assertThat(again.userFactors()).containsExactly(model.userFactors());
  }

  @Test
  void everyCurriculumScorerTrainsDeterministically() throws Exception {
    for (String scorer : new String[] {"popularity", "activity", "self-paced", "teacher"}) {
      String config = "{\"factors\": 8, \"epochs\": 8, \"curriculum\": {\"scorer\": \"" + scorer
          + "\", \"pacing\": \"root\", \"start\": 0.3, \"fullAt\": 4}}";
      BprModel a = train(config);
      BprModel b = train(config);
      assertThat(a.itemFactors()).as(scorer).containsExactly(b.itemFactors());
      assertThat(Fixtures.checkerboardAuc(a)).as(scorer).isGreaterThan(0.85);
    }
    // the curriculum changes the training: popularity-first is not the plain run
    assertThat(train("{\"factors\": 8, \"epochs\": 8, \"curriculum\": {\"scorer\": \"popularity\"}}").itemFactors())
        .isNotEqualTo(train("{\"factors\": 8, \"epochs\": 8}").itemFactors());
  }

  @Test
  void badStagesAreRejectedByName() {
    assertThatThrownBy(() -> train("{\"factors\": 16, \"progressive\": {\"factors\": [32], \"widenAt\": [3]}}"))
        .hasMessageContaining("progressive.factors [32] must stay below the model's factors (16)");
    assertThatThrownBy(() -> train("{\"epochs\": 5, \"progressive\": {\"factors\": [8], \"widenAt\": [7]}}"))
        .hasMessageContaining("progressive.widenAt [7] must stay below the model's epochs (5)");
    assertThatThrownBy(() -> train("{\"curriculum\": {\"scorer\": \"hardness\"}}"))
        .hasMessageContaining("unknown curriculum scorer 'hardness'");
  }
}
