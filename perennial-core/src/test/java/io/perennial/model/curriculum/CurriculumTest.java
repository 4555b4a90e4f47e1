package io.perennial.model.curriculum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CurriculumTest {

  @Test
  void linearRootAndStepPacingGiveTheSpecifiedShares() {
    // start 0.2, all data from epoch 4
    assertThat(Pacing.LINEAR.fraction(0, 0.2, 4, 4)).isCloseTo(0.2, within(1e-12));
    assertThat(Pacing.LINEAR.fraction(1, 0.2, 4, 4)).isCloseTo(0.4, within(1e-12));
    assertThat(Pacing.LINEAR.fraction(3, 0.2, 4, 4)).isCloseTo(0.8, within(1e-12));
    assertThat(Pacing.LINEAR.fraction(4, 0.2, 4, 4)).isEqualTo(1.0);
    assertThat(Pacing.LINEAR.fraction(9, 0.2, 4, 4)).isEqualTo(1.0);
    // sqrt(0.04 + 0.96 · e / 4)
    assertThat(Pacing.ROOT.fraction(0, 0.2, 4, 4)).isCloseTo(0.2, within(1e-12));
    assertThat(Pacing.ROOT.fraction(1, 0.2, 4, 4)).isCloseTo(Math.sqrt(0.28), within(1e-12));
    assertThat(Pacing.ROOT.fraction(2, 0.2, 4, 4)).isCloseTo(Math.sqrt(0.52), within(1e-12));
    assertThat(Pacing.ROOT.fraction(4, 0.2, 4, 4)).isEqualTo(1.0);
    // baby steps: start 0.25, 3 buckets over 6 epochs: 0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 1
    double[] steps = new double[7];
    for (int e = 0; e < 7; e++) {
      steps[e] = Pacing.STEP.fraction(e, 0.25, 6, 3);
    }
    assertThat(steps).containsExactly(new double[] {0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 1.0}, within(1e-12));
    // root adds data faster than linear early on
    assertThat(Pacing.ROOT.fraction(1, 0.2, 4, 4)).isGreaterThan(Pacing.LINEAR.fraction(1, 0.2, 4, 4));
  }

  /** Items 0..3 with 4, 3, 2, 1 examples; users 0..3 with 1, 2, 3, 4 examples. */
  private static final int[] USERS = {3, 3, 3, 3, 2, 2, 2, 1, 1, 0};
  private static final int[] ITEMS = {0, 1, 2, 3, 0, 1, 2, 0, 1, 0};

  @Test
  void popularityPutsPopularItemsFirstAndAntiReversesIt() {
    Curriculum c = new Curriculum(new CurriculumConfig("popularity", "linear", 0.4f, 2, false, 0, 0),
        USERS, ITEMS, 4, 4, 7);
    // epoch 0: 40 % of 10 = the 4 examples of item 0 (ties in any seeded order)
    int[] first = c.examples(0, null);
    assertThat(first).hasSize(4);
    assertThat(itemsOf(first)).containsOnly(0);
    // epoch 1: 70 % = 7: item 0's four and item 1's three
    int[] second = c.examples(1, null);
    assertThat(second).hasSize(7);
    assertThat(itemsOf(second)).containsExactly(0, 0, 0, 0, 1, 1, 1);
    assertThat(c.examples(2, null)).hasSize(10);
    Curriculum anti = new Curriculum(new CurriculumConfig("popularity", "linear", 0.4f, 2, true, 0, 0),
        USERS, ITEMS, 4, 4, 7);
    // hardest first: item 3 (1 example), item 2 (2), then one of item 1's
    assertThat(itemsOf(anti.examples(0, null))).containsExactly(3, 2, 2, 1);
  }

  @Test
  void activityPutsActiveUsersFirst() {
    Curriculum c = new Curriculum(new CurriculumConfig("activity", "step", 0.4f, 3, false, 3, 0),
        USERS, ITEMS, 4, 4, 1);
    // ceil(0.4 · 10) = 4: user 3's four examples
    int[] first = c.examples(0, null);
    assertThat(first).containsExactlyInAnyOrder(0, 1, 2, 3);
    // step 1 of 3: 0.4 + 0.6 / 3 = 0.6 → 6: user 3's and two of user 2's
    int[] next = c.examples(1, null);
    assertThat(next).hasSize(6);
    assertThat(java.util.Arrays.copyOf(next, 4)).containsExactlyInAnyOrder(0, 1, 2, 3);
    assertThat(usersOf(java.util.Arrays.copyOfRange(next, 4, 6))).containsOnly(2);
  }

  @Test
  void selfPacedRescoresEveryEpochAndTeacherOnce() {
    int[] calls = new int[1];
    Curriculum self = new Curriculum(new CurriculumConfig("self-paced", "linear", 0.3f, 5, false, 0, 0),
        USERS, ITEMS, 4, 4, 3);
    // the "model" loss is the example index at epoch 0 and minus it at epoch 1
    assertThat(self.examples(0, e -> { calls[0]++; return e; })).containsExactly(0, 1, 2);
    assertThat(self.examples(1, e -> { calls[0]++; return -e; })).containsExactly(9, 8, 7, 6, 5);
    assertThat(calls[0]).isEqualTo(20);
    Curriculum teacher = new Curriculum(new CurriculumConfig("teacher", "linear", 0.3f, 5, false, 0, 0),
        USERS, ITEMS, 4, 4, 3);
    assertThat(teacher.needsModel(0)).isTrue();
    assertThat(teacher.examples(0, e -> -e)).containsExactly(9, 8, 7);
    assertThat(teacher.needsModel(1)).isFalse();
    // the teacher's scores are kept: a different function later changes nothing
    assertThat(teacher.examples(1, e -> e)).containsExactly(9, 8, 7, 6, 5);
  }

  @Test
  void rankingDifficultyIsTheMarginOverSampledNegatives() {
    // a model that scores item i as i: positive item 3 beats every other item, item 0 none
    DifficultyScorer.PairScore model = (u, i) -> i;
    int[] users = {0, 0};
    int[] items = {3, 0};
    var margin = DifficultyScorer.rankingDifficulty(model, users, items, 4, 50, 11, false);
    var loss = DifficultyScorer.rankingDifficulty(model, users, items, 4, 50, 11, true);
    assertThat(margin.applyAsDouble(0)).isLessThan(0); // easy: minus a positive margin
    assertThat(margin.applyAsDouble(1)).isGreaterThan(0);
    assertThat(loss.applyAsDouble(0)).isLessThan(loss.applyAsDouble(1));
    assertThat(margin.applyAsDouble(0)).isEqualTo(margin.applyAsDouble(0)); // seeded: the same every call
  }

  @Test
  void theSameSeedGivesTheSameTieBreaksAndAnotherSeedAnother() {
    CurriculumConfig config = new CurriculumConfig("popularity", "linear", 0.4f, 2, false, 0, 0);
    int[] a = new Curriculum(config, USERS, ITEMS, 4, 4, 5).examples(0, null);
    int[] b = new Curriculum(config, USERS, ITEMS, 4, 4, 5).examples(0, null);
    assertThat(a).containsExactly(b);
    boolean differs = false;
    for (long seed = 6; seed < 20 && !differs; seed++) {
      differs = !java.util.Arrays.equals(a, new Curriculum(config, USERS, ITEMS, 4, 4, seed).examples(0, null));
    }
    assertThat(differs).isTrue();
  }

  @Test
  void parsesTheCommandLineFormAndRejectsBadValues() {
    CurriculumConfig c = CurriculumConfig.parse("anti-self_paced:step:0.5:8");
    assertThat(c.scorer()).isEqualTo("self-paced");
    assertThat(c.pacing()).isEqualTo("step");
    assertThat(c.start()).isEqualTo(0.5f);
    assertThat(c.fullAt()).isEqualTo(8);
    assertThat(c.anti()).isTrue();
    CurriculumConfig d = CurriculumConfig.parse("popularity");
    assertThat(d.pacing()).isEqualTo("root");
    assertThat(d.start()).isEqualTo(0.3f);
    assertThat(d.fullAt()).isEqualTo(5);
    assertThatThrownBy(() -> CurriculumConfig.parse("hardness:root")).hasMessageContaining("unknown curriculum scorer 'hardness'");
    assertThatThrownBy(() -> CurriculumConfig.parse("popularity:cubic")).hasMessageContaining("pacing 'cubic'");
    assertThatThrownBy(() -> CurriculumConfig.parse("popularity:root:1.5")).hasMessageContaining("start must be in (0, 1]");
    assertThatThrownBy(() -> CurriculumConfig.parse("popularity:root:x")).hasMessageContaining("must be a number");
  }

  private static int[] itemsOf(int[] examples) {
    int[] out = new int[examples.length];
    for (int e = 0; e < out.length; e++) {
      out[e] = ITEMS[examples[e]];
    }
    return out;
  }

  private static int[] usersOf(int[] examples) {
    int[] out = new int[examples.length];
    for (int e = 0; e < out.length; e++) {
      out[e] = USERS[examples[e]];
    }
    return out;
  }
}
