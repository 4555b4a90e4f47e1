package io.perennial.model.sasrec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.TrainingOptions;
import io.perennial.model.curriculum.Curriculum;
import io.perennial.model.curriculum.CurriculumConfig;
import io.perennial.privacy.DpConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Curricula over SASRec's training windows: the order, the pacing, the anti-curriculum, determinism. */
class SasrecCurriculumTest {

  /** Training counts of items 0..5. */
  private static final float[] POPULARITY = {10, 5, 1, 1, 3, 8};

  /**
   * Four one-window users whose targets (every item after the first) have mean log-popularity
   * 2.10 (window 0: items 1, 0), 0.69 (window 1: items 2, 3), 1.79 (window 2: items 5, 4) and 2.40
   * (window 3: items 0, 0; its input-only first item, 2, is rare and must not count).
   */
  private static List<SasrecSteps.Window> tinyWorld() {
    return List.of(
        window(0, 0, 1, 0),
        window(1, 0, 2, 3),
        window(2, 1, 5, 4),
        window(3, 2, 0, 0));
  }

  private static SasrecSteps.Window window(int user, int... items) {
    return new SasrecSteps.Window(user, items, 0, items.length - 1);
  }

  private static SasrecConfig withCurriculum(CurriculumConfig curriculum) {
    return new SasrecConfig(8, 1, 1, 8, 4, 4, 1e-3f, 0, 0f, SasrecConfig.Loss.SOFTMAX, 8, null, 0f, 0f, 1, 5L, 1, 1, 0,
        null, List.of(), 0f, 0f, 0f, 0f, 0f, false, null, 0, 0, curriculum, 0f);
  }

  @Test
  void popularityPacingAdmitsTheWindowsOfPopularTargetsFirst() {
    // linear from half of the windows at epoch 0 to all at epoch 2
    Curriculum c = SasrecTrainer.windowCurriculum(withCurriculum(
        new CurriculumConfig("popularity", "linear", 0.5f, 2, false, 0, 0)), tinyWorld(), POPULARITY);
    assertThat(c.examples(0, null)).containsExactly(3, 0);
    assertThat(c.examples(1, null)).containsExactly(3, 0, 2);
    assertThat(c.examples(2, null)).containsExactly(3, 0, 2, 1);
    assertThat(c.examples(9, null)).containsExactly(3, 0, 2, 1);
  }

  @Test
  void antiCurriculumAdmitsTheRarestFirst() {
    Curriculum anti = SasrecTrainer.windowCurriculum(withCurriculum(
        new CurriculumConfig("popularity", "linear", 0.5f, 2, true, 0, 0)), tinyWorld(), POPULARITY);
    assertThat(anti.examples(0, null)).containsExactly(1, 2);
    assertThat(anti.examples(2, null)).containsExactly(1, 2, 0, 3);
  }

  @Test
  void activityAdmitsTheLongestSequencesFirst() {
    List<SasrecSteps.Window> windows = List.of(window(0, 1, 2, 3), window(1, 1, 2, 3, 4, 5), window(2, 4, 5));
    Curriculum c = SasrecTrainer.windowCurriculum(withCurriculum(
        new CurriculumConfig("activity", "step", 0.34f, 2, false, 2, 0)), windows, POPULARITY);
    assertThat(c.examples(0, null)).containsExactly(1, 0);
    assertThat(c.examples(2, null)).containsExactly(1, 0, 2);
  }

  private static ObjectNode config(String scorer, int threads) {
    ObjectNode o = new ObjectMapper().createObjectNode().put("factors", 16).put("epochs", 6).put("negatives", 64)
        .put("batchSize", 16).put("threads", threads).put("warmupSteps", 0).put("dropout", 0.2f);
    if (scorer != null) {
      o.putObject("curriculum").put("scorer", scorer).put("pacing", "root").put("start", 0.3f).put("fullAt", 4);
    }
    return o;
  }

  private static float[] trainedParameters(String scorer, int threads) {
    Dataset data = SasrecModelTest.chains(3);
    SasrecModel model = (SasrecModel) Algorithms.trainer("sasrec", config(scorer, threads))
        .fit(data, TrainingOptions.silent());
    return model.network().params().values().clone();
  }

  @Test
  void sameSeedGivesTheSameModelAndTheCurriculumChangesIt() {
    float[] plain = trainedParameters(null, 2);
    for (String scorer : new String[] {"popularity", "self-paced"}) {
      float[] a = trainedParameters(scorer, 2);
      assertThat(a).as(scorer).isEqualTo(trainedParameters(scorer, 2));
      assertThat(a).as(scorer).isNotEqualTo(plain);
      for (float v : a) {
        assertThat(Float.isFinite(v)).as(scorer).isTrue();
      }
    }
  }

  @Test
  void teacherCurriculumTrainsDeterministicallyOnOneThread() {
    float[] a = trainedParameters("teacher", 1);
    assertThat(a).isEqualTo(trainedParameters("teacher", 1));
    assertThat(a).isNotEqualTo(trainedParameters(null, 1));
  }

  @Test
  void aTrainedNetworkFindsChainWindowsEasierThanRandomOnes() {
    Dataset data = SasrecModelTest.chains(3);
    SasrecModel model = (SasrecModel) Algorithms.trainer("sasrec", config(null, 2).put("epochs", 12))
        .fit(data, TrainingOptions.silent());
    int items = SasrecModelTest.CHAINS * SasrecModelTest.CHAIN_LENGTH;
    List<SasrecSteps.Window> windows = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(9);
    for (int w = 0; w < 5; w++) {
      int[] walk = new int[8];
      int[] noise = new int[8];
      for (int s = 0; s < 8; s++) {
        walk[s] = SasrecModelTest.item(w, 3 + s);
        noise[s] = random.nextInt(items);
      }
      windows.add(window(-1, walk));
      windows.add(window(-1, noise));
    }
    for (boolean loss : new boolean[] {true, false}) {
      double[] d = WindowDifficulty.of(model.network(), windows, items, 17L, loss);
      assertThat(d).isEqualTo(WindowDifficulty.of(model.network(), windows, items, 17L, loss));
      double hardestWalk = Double.NEGATIVE_INFINITY;
      double easiestNoise = Double.POSITIVE_INFINITY;
      for (int w = 0; w < windows.size(); w++) {
        if (w % 2 == 0) {
          hardestWalk = Math.max(hardestWalk, d[w]);
        } else {
          easiestNoise = Math.min(easiestNoise, d[w]);
        }
      }
      assertThat(hardestWalk).as(loss ? "self-paced loss" : "minus the margin").isLessThan(easiestNoise);
    }
  }

  @Test
  void curriculumAndDpAreRejectedTogether() {
    assertThatThrownBy(() -> new SasrecConfig(8, 1, 1, 8, 4, 4, 1e-3f, 0, 0f, SasrecConfig.Loss.SOFTMAX, 8, null, 0f,
        0f, 1, 5L, 1, 1, 0, DpConfig.forEpsilon(8), List.of(), 0f, 0f, 0f, 0f, 0f, false, null, 0, 0,
        CurriculumConfig.of("popularity", "root"), 0f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("curriculum does not combine with dp");
  }

  @Test
  void theConfigMemberHasTheOtherModelsShape() {
    SasrecTrainer trainer = (SasrecTrainer) Algorithms.trainer("sasrec", config("self-paced", 1));
    assertThat(trainer.config().curriculum())
        .isEqualTo(new CurriculumConfig("self-paced", "root", 0.3f, 4, false, 0, 0));
    assertThat(trainer.configJson().get("curriculum").get("scorer").asText()).isEqualTo("self-paced");
    assertThat(trainer.config().withoutCurriculum().curriculum()).isNull();
  }
}
