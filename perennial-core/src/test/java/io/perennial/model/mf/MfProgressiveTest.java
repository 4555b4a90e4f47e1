package io.perennial.model.mf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.Fixtures;
import io.perennial.model.TrainingOptions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Progressive widening and curriculum ordering in MF. */
class MfProgressiveTest {

  private static MfModel train(String overrides) throws Exception {
    Dataset data = Fixtures.explicitCheckerboard(5);
    return (MfModel) Algorithms.trainer("mf", new ObjectMapper().readTree(overrides)).fit(data, TrainingOptions.silent());
  }

  @Test
  void wideningPreservesEveryScoreAtTheMomentOfWidening() throws Exception {
    MfModel model = train("{\"factors\": 6, \"epochs\": 4}");
    float[] before = new float[model.userCount() * model.itemCount()];
    for (int u = 0; u < model.userCount(); u++) {
      for (int i = 0; i < model.itemCount(); i++) {
        before[u * model.itemCount() + i] = model.score(u, i);
      }
    }
    model.widen(20, 0.05f, new SplittableRandom(2));
    assertThat(model.factors()).isEqualTo(20);
    float[] after = new float[before.length];
    for (int u = 0; u < model.userCount(); u++) {
      for (int i = 0; i < model.itemCount(); i++) {
        after[u * model.itemCount() + i] = model.score(u, i);
      }
    }
    // the tables' products are unchanged exactly (the new user dimensions are zero); the SIMD dot of a
    // longer row adds its lanes in another order, so a score may differ in its last bit
    assertThat(after).containsExactly(before, org.assertj.core.api.Assertions.within(1e-6f));
  }

  @Test
  void progressiveAndCurriculumRunsEndAtTheConfiguredWidthAndSeparateTheBlocks() throws Exception {
    MfModel staged = train("{\"factors\": 16, \"epochs\": 40, \"progressive\": {\"factors\": [4], \"widenAt\": [15]}}");
    assertThat(staged.factors()).isEqualTo(16);
    assertThat(Fixtures.checkerboardAuc(staged)).isGreaterThan(0.9);
    for (String scorer : new String[] {"popularity", "activity", "self-paced", "teacher"}) {
      String config = "{\"factors\": 8, \"epochs\": 40, \"curriculum\": {\"scorer\": \"" + scorer
          + "\", \"pacing\": \"linear\", \"start\": 0.5, \"fullAt\": 10, \"anti\": true}}";
      MfModel a = train(config);
      assertThat(a.itemFactors()).as(scorer).containsExactly(train(config).itemFactors());
      assertThat(Fixtures.checkerboardAuc(a)).as(scorer).isGreaterThan(0.85);
    }
  }
}
