package io.perennial.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadReport;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingOptions;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaveOneOutTest {

  private static InteractionLog log(int[][] userItemTime) {
    InteractionLog log = new InteractionLog();
    for (int[] e : userItemTime) {
      log.add(e[0], e[1], 1f, e[2], InteractionType.VIEW);
    }
    return log;
  }

  private static int[] items(InteractionLog log, int user) {
    return java.util.stream.IntStream.range(0, log.size()).filter(e -> log.user(e) == user).map(log::item).toArray();
  }

  @Test
  void lastItemTestsSecondToLastValidatesAndTheRestTrainInTimeOrder() {
    // User 0's events are logged out of time order; a tie at t=5 keeps log order (item 13 before 14).
    InteractionLog log = log(new int[][] {
        {0, 10, 9}, {0, 11, 1}, {1, 20, 1}, {0, 13, 5}, {0, 14, 5}, {1, 21, 2}, {1, 22, 3},
        {2, 30, 1}, {2, 31, 2}, {3, 40, 1}});
    Split split = Splitters.leaveOneOut(log);
    assertThat(split.name()).isEqualTo("loo");
    assertThat(split.hasValidation()).isTrue();
    // user 0 in time order: 11, 13, 14, 10
    assertThat(items(split.test(), 0)).containsExactly(10);
    assertThat(items(split.validation(), 0)).containsExactly(14);
    assertThat(items(split.train(), 0)).containsExactly(11, 13);
    assertThat(items(split.test(), 1)).containsExactly(22);
    assertThat(items(split.validation(), 1)).containsExactly(21);
    assertThat(items(split.train(), 1)).containsExactly(20);
    // Fewer than 3 events: train only, never tested or validated.
    assertThat(items(split.train(), 2)).containsExactly(30, 31);
    assertThat(items(split.train(), 3)).containsExactly(40);
    assertThat(split.test().size()).isEqualTo(2);
    assertThat(split.validation().size()).isEqualTo(2);
    assertThat(split.train().size() + split.validation().size() + split.test().size()).isEqualTo(log.size());
    assertThat(Splitters.LOO_MIN_EVENTS).isEqualTo(3);
  }

  @Test
  void protocolsWithoutValidationSayNone() {
    Split split = Splitters.leaveLastOut(log(new int[][] {{0, 1, 1}, {0, 2, 2}}));
    assertThat(split.hasValidation()).isFalse();
    assertThat(split.validation().size()).isZero();
  }

  @Test
  void candidateSetsParseAndNameThemselves() {
    assertThat(Candidates.parse("all", 7).isAll()).isTrue();
    Candidates sampled = Candidates.parse(" Sampled:100 ", 7);
    assertThat(sampled.sampled()).isEqualTo(100);
    assertThat(sampled.seed()).isEqualTo(7);
    assertThat(sampled.cliName()).isEqualTo("sampled:100");
    assertThat(Candidates.ALL.cliName()).isEqualTo("all");
    for (String bad : new String[] {"sampled:0", "sampled:x", "sampled", "some", ""}) {
      assertThatThrownBy(() -> Candidates.parse(bad, 1)).hasMessageContaining("expected all or sampled:N");
    }
  }

  @Test
  void sampledNegativesAreDistinctUntouchedAndFixedBySeed() {
    int items = 500;
    int[] touched = java.util.stream.IntStream.range(0, items).filter(i -> i % 3 == 0).toArray();
    Candidates c = new Candidates(100, 42);
    BitSet scratch = new BitSet(items);
    int[] negatives = c.negatives(5, touched, items, scratch);
    assertThat(negatives).hasSize(100).doesNotHaveDuplicates();
    assertThat(Arrays.stream(negatives).allMatch(i -> i >= 0 && i < items && i % 3 != 0)).isTrue();
    assertThat(scratch.isEmpty()).isTrue();
    assertThat(c.negatives(5, touched, items, scratch)).containsExactly(negatives);
    assertThat(new Candidates(100, 43).negatives(5, touched, items, scratch)).isNotEqualTo(negatives);
    assertThat(c.negatives(6, touched, items, scratch)).isNotEqualTo(negatives);
    // Fewer untouched items than N: every one of them, once.
    int[] nearlyAll = java.util.stream.IntStream.range(0, items).filter(i -> i != 7 && i != 300).toArray();
    assertThat(c.negatives(5, nearlyAll, items, scratch)).containsExactly(7, 300);
  }

  @Test
  void sampledNegativesAreUniformOverTheUntouchedItems() {
    // 10 untouched items, 3 drawn per user: each should be drawn 3/10 of the time.
    int items = 20;
    int[] touched = java.util.stream.IntStream.range(0, 10).toArray();
    Candidates c = new Candidates(3, 1);
    int[] counts = new int[items];
    int users = 20_000;
    BitSet scratch = new BitSet(items);
    for (int u = 0; u < users; u++) {
      for (int i : c.negatives(u, touched, items, scratch)) {
        counts[i]++;
      }
    }
    for (int i = 10; i < items; i++) {
      // binomial sd = sqrt(20000·0.3·0.7) ≈ 65; 5 sd
      assertThat((double) counts[i]).isCloseTo(users * 0.3, within(330.0));
    }
    assertThat(Arrays.stream(counts, 0, 10).sum()).isZero();
  }

  @Test
  void thePoolHoldsTheTestItemOnceAndNothingElseTheUserTouched() {
    int[] touched = {1, 4, 9};
    int[] relevant = {9};
    int[] pool = new Candidates(100, 3).pool(0, relevant, touched, 1000, new BitSet(1000));
    assertThat(pool).hasSize(101).doesNotHaveDuplicates();
    assertThat(pool[0]).isEqualTo(9);
    assertThat(Arrays.stream(pool).filter(i -> i == 9).count()).isEqualTo(1);
    assertThat(pool).doesNotContain(1, 4);
  }

  @Test
  void tiesFallInASeededOrderNotByItemId() {
    float[] scores = new float[10];
    int[] pool = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    int[] first = new int[10];
    for (long seed = 0; seed < 2000; seed++) {
      int[] top = Evaluator.rankCandidates(pool, scores, 3, seed);
      assertThat(top).hasSize(3).doesNotHaveDuplicates();
      assertThat(Evaluator.rankCandidates(pool, scores, 3, seed)).containsExactly(top);
      first[top[0]]++;
    }
    // every item leads about 200 times in 2000
    assertThat(Arrays.stream(first).min().getAsInt()).isGreaterThan(120);
    assertThat(Arrays.stream(first).max().getAsInt()).isLessThan(280);
    scores[7] = 2f;
    scores[3] = 1f;
    scores[5] = Float.NaN;
    assertThat(Evaluator.rankCandidates(pool, scores, 2, 0)).containsExactly(7, 3);
    assertThat(Evaluator.rankCandidates(pool, scores, 10, 0)[9]).isEqualTo(5);
  }

  /**
   * Popularity on a hand-made world with known ranks. Item i is liked by 9 − i filler users, so
   * popularity falls with the id. User 0 trains on item 0, validates on 1 and tests on 5: its
   * candidates are 2, 3, 4, 5, 6, 7, 8, 9 (never touched, plus the test item), so popularity ranks
   * the test item 4th.
   */
  @Test
  void metricsOverTheCandidatesMatchHandComputedValues() {
    InteractionLog train = new InteractionLog();
    train.add(0, 0, 1f, 1, InteractionType.VIEW);
    for (int f = 1; f <= 9; f++) {
      for (int i = 0; i <= 9 - f; i++) {
        train.add(f, i, 1f, 1, InteractionType.VIEW);
      }
    }
    InteractionLog validation = log(new int[][] {{0, 1, 2}});
    InteractionLog test = log(new int[][] {{0, 5, 3}});
    InteractionLog all = train.copy();
    all.add(validation.get(0));
    all.add(test.get(0));
    IdIndex users = new IdIndex();
    IdIndex items = new IdIndex();
    for (int n = 0; n < 10; n++) {
      users.getOrAdd("u" + n);
      items.getOrAdd("i" + n);
    }
    Dataset data = new Dataset(users, items, all, new ReadReport(all.size(), all.size(), Map.of(), 0, 0, List.of()));
    Split split = new Split("loo", train, test, validation);
    double ndcgAtRank4 = 1 / (Math.log(5) / Math.log(2));
    for (Candidates candidates : new Candidates[] {Candidates.ALL, new Candidates(100, 9)}) {
      EvalSettings settings = EvalSettings.ranking(5).withCandidates(candidates);
      EvaluationResult result = Evaluator.run(Algorithms.trainer("pop", null), data, List.of(split), settings,
          TrainingOptions.silent());
      Map<String, Double> m = result.metrics();
      assertThat(result.usersEvaluated()).isEqualTo(1);
      assertThat(m.get("hr@5")).as(candidates.cliName()).isEqualTo(1.0);
      assertThat(m.get("ndcg@5")).as(candidates.cliName()).isCloseTo(ndcgAtRank4, within(1e-12));
      assertThat(m.get("mrr")).isCloseTo(0.25, within(1e-12));
      // 8 candidates, the relevant one above 4 of the 7 others
      assertThat(m.get("auc")).isCloseTo(4.0 / 7, within(1e-12));
      EvaluationResult at3 = Evaluator.run(Algorithms.trainer("pop", null), data, List.of(split),
          EvalSettings.ranking(3).withCandidates(candidates), TrainingOptions.silent());
      assertThat(at3.metrics().get("hr@3")).isZero();
      assertThat(at3.metrics().get("ndcg@3")).isZero();
    }
    // Without what the user touched outside training, the validation item 1 would take rank 1.
    Recommender model = Algorithms.trainer("pop", null).fit(data.withLog(train), TrainingOptions.silent());
    assertThat(Evaluator.evaluate(model, test, EvalSettings.ranking(5)).get("ndcg@5"))
        .isCloseTo(1 / (Math.log(6) / Math.log(2)), within(1e-12));
    // sampled:3 draws three of 2, 3, 4, 6, 7, 8, 9; the test item ranks below the drawn ones of 2, 3, 4.
    Candidates three = new Candidates(3, 11);
    int[] drawn = three.negatives(0, new int[] {0, 1, 5}, 10, new BitSet(10));
    long above = Arrays.stream(drawn).filter(i -> i < 5).count();
    Map<String, Double> m = Evaluator.evaluate(model, test, EvalSettings.ranking(2).withCandidates(three), all);
    assertThat(m.get("hr@2")).isEqualTo(above < 2 ? 1.0 : 0.0);
    assertThat(m.get("mrr")).isCloseTo(above < 2 ? 1.0 / (above + 1) : 0, within(1e-12));
  }

  @Test
  void earlyStoppingValidatesOnTheValidationPart() {
    InteractionLog log = new InteractionLog();
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    for (int u = 0; u < 60; u++) {
      for (int n = 0; n < 12; n++) {
        log.add(u, random.nextInt(40), 1f, n, InteractionType.VIEW);
      }
    }
    IdIndex users = new IdIndex();
    IdIndex items = new IdIndex();
    for (int n = 0; n < 60; n++) {
      users.getOrAdd("u" + n);
    }
    for (int n = 0; n < 40; n++) {
      items.getOrAdd("i" + n);
    }
    Dataset data = new Dataset(users, items, log, new ReadReport(log.size(), log.size(), Map.of(), 0, 0, List.of()));
    Split loo = Splitters.leaveOneOut(log);
    List<String> validated = new java.util.ArrayList<>();
    io.perennial.model.TrainingListener listener = new io.perennial.model.TrainingListener() {
      @Override
      public void onEpoch(String model, io.perennial.model.EpochReport report) {
        validated.add(String.valueOf(report.validation()));
      }
    };
    EvaluationResult result = Evaluator.run(Algorithms.trainer("bpr", null), data, List.of(loo),
        EvalSettings.ranking(10).withCandidates(new Candidates(20, 1)),
        new TrainingOptions(listener, null, 2), "ndcg@10", 2);
    assertThat(result.metrics().get("hr@10")).isBetween(0.0, 1.0);
    assertThat(validated).isNotEmpty().allMatch(v -> !v.equals("null") && !v.equals("NaN"));
    assertThatThrownBy(() -> Evaluator.run(Algorithms.trainer("pop", null), data,
        List.of(Splitters.leaveLastOut(log)), EvalSettings.ranking(10), TrainingOptions.silent(), "ndcg@10", 2))
        .hasMessageContaining("has none");
  }
}
