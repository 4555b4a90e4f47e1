package io.perennial.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadReport;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ColdStartSplitsTest {

  /** 40 users, 50 items, each user rates 15 random items. */
  private static InteractionLog log() {
    InteractionLog log = new InteractionLog();
    SplittableRandom random = new SplittableRandom(5);
    for (int u = 0; u < 40; u++) {
      Set<Integer> items = new HashSet<>();
      while (items.size() < 15) {
        items.add(random.nextInt(50));
      }
      long t = 0;
      for (int i : items) {
        log.add(u, i, 1f, 1000L * u + t++, InteractionType.VIEW);
      }
    }
    return log;
  }

  @Test
  void coldItemsAreOnlyInTheTestPartAndAreTheCandidates() {
    InteractionLog log = log();
    Split split = Splitters.coldItems(log, 0.2, 7);
    int[] cold = split.candidateItems();
    assertThat(cold).hasSize(10);
    for (int e = 0; e < split.train().size(); e++) {
      assertThat(Arrays.binarySearch(cold, split.train().item(e))).isNegative();
    }
    for (int e = 0; e < split.test().size(); e++) {
      assertThat(Arrays.binarySearch(cold, split.test().item(e))).isNotNegative();
    }
    // every event is in one part (all users here also have warm items)
    assertThat(split.train().size() + split.test().size()).isEqualTo(log.size());
    assertThat(Splitters.coldItems(log, 0.2, 7).candidateItems()).isEqualTo(cold);
    assertThat(Splitters.coldItems(log, 0.2, 8).candidateItems()).isNotEqualTo(cold);
    assertThatThrownBy(() -> Splitters.coldItems(log, 1.0, 7)).hasMessageContaining("cold fraction");
  }

  @Test
  void coldItemsDropsTestUsersWithoutTrainingEvents() {
    InteractionLog log = new InteractionLog();
    log.add(0, 0, 1f, 1, InteractionType.VIEW);
    log.add(0, 1, 1f, 2, InteractionType.VIEW);
    log.add(1, 1, 1f, 3, InteractionType.VIEW);
    log.add(2, 0, 1f, 4, InteractionType.VIEW);
    log.add(2, 2, 1f, 5, InteractionType.VIEW);
    log.add(2, 3, 1f, 6, InteractionType.VIEW);
    // find a seed making item 1 cold: user 1's only event is then untestable
    for (long seed = 0; seed < 100; seed++) {
      Split split = Splitters.coldItems(log, 0.25, seed);
      if (Arrays.equals(split.candidateItems(), new int[] {1})) {
        assertThat(split.test().size()).isEqualTo(1);
        assertThat(split.test().user(0)).isZero();
        return;
      }
    }
    throw new AssertionError("no seed made item 1 the cold one");
  }

  @Test
  void coldUsersKeepAtMostKTrainingEventsEach() {
    InteractionLog log = log();
    Split split = Splitters.coldUsers(log, 3, 0.25, 1);
    int[] trainCount = new int[40];
    for (int e = 0; e < split.train().size(); e++) {
      trainCount[split.train().user(e)]++;
    }
    Set<Integer> tested = new HashSet<>();
    for (int e = 0; e < split.test().size(); e++) {
      tested.add(split.test().user(e));
    }
    assertThat(tested).hasSize(10);
    for (int u : tested) {
      assertThat(trainCount[u]).isEqualTo(3);
    }
    // the earliest three of each cold user train
    for (int e = 0; e < split.test().size(); e++) {
      assertThat(split.test().timestamp(e) % 1000).isGreaterThanOrEqualTo(3);
    }
    assertThat(split.train().size() + split.test().size()).isEqualTo(log.size());
    assertThatThrownBy(() -> Splitters.coldUsers(log, 15, 0.5, 1)).hasMessageContaining("more than 15");
  }

  @Test
  void evaluatorRanksOnlyTheRestrictedItemsForAnyModel() {
    InteractionLog log = log();
    Split split = Splitters.coldItems(log, 0.2, 3);
    Dataset data = new Dataset(ids("u", 40), ids("i", 50), log,
        new ReadReport(log.size(), log.size(), Map.of(), 0, 0, List.of()));
    for (String name : List.of("pop", "ials")) {
      Recommender model = Algorithms.trainer(name, null).fit(data.withLog(split.train()));
      EvalSettings settings = EvalSettings.ranking(10).withAuc(false);
      Map<String, Double> restricted = Evaluator.evaluate(model, split.test(), settings, log, split.candidateItems());
      // 10 cold candidates and k = 10: every relevant cold item is in the top 10 of every user
      assertThat(restricted.get("recall@10")).as(name).isEqualTo(1.0);
      Map<String, Double> full = Evaluator.evaluate(model, split.test(), settings, log, null);
      assertThat(full.get("recall@10")).as(name).isLessThan(1.0);
    }
    assertThatThrownBy(() -> Evaluator.evaluate(Algorithms.trainer("pop", null).fit(data.withLog(split.train())),
        split.test(), EvalSettings.ranking(10).withCandidates(new Candidates(5, 1)), log, split.candidateItems()))
        .hasMessageContaining("cannot be combined");
  }

  private static IdIndex ids(String prefix, int n) {
    IdIndex index = new IdIndex();
    for (int i = 0; i < n; i++) {
      index.getOrAdd(prefix + i);
    }
    return index;
  }
}
