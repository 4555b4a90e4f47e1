package io.perennial.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplittersTest {

  /** 10 users × 10 events each; event e of user u has timestamp 1000·u + (9 - e) (reverse order). */
  private static InteractionLog log() {
    InteractionLog log = new InteractionLog();
    for (int u = 0; u < 10; u++) {
      for (int e = 0; e < 10; e++) {
        log.add(u, u * 10 + e, 1f, 1000L * u + (9 - e), InteractionType.VIEW);
      }
    }
    return log;
  }

  private static Set<Long> keys(InteractionLog log) {
    Set<Long> keys = new HashSet<>();
    for (int i = 0; i < log.size(); i++) {
      keys.add(((long) log.user(i) << 32) | log.item(i));
    }
    return keys;
  }

  @Test
  void kfoldPartitionsEveryEventExactlyOnce() {
    InteractionLog log = log();
    List<Split> folds = Splitters.kfold(log, 5, 1);
    assertThat(folds).hasSize(5);
    Set<Long> tested = new HashSet<>();
    for (Split f : folds) {
      assertThat(f.test().size()).isEqualTo(20);
      assertThat(f.train().size()).isEqualTo(80);
      Set<Long> test = keys(f.test());
      assertThat(test).doesNotContainAnyElementsOf(keys(f.train()));
      tested.addAll(test);
    }
    assertThat(tested).hasSize(100);
    assertThat(keys(Splitters.kfold(log, 5, 1).get(0).test())).isEqualTo(keys(folds.get(0).test()));
    assertThatThrownBy(() -> Splitters.kfold(log, 1, 1)).hasMessageContaining("at least 2");
  }

  @Test
  void userTemporalKeepsEachUsersEarliestEventsForTraining() {
    Split split = Splitters.userTemporal(log(), 0.8);
    assertThat(split.train().size()).isEqualTo(80);
    assertThat(split.test().size()).isEqualTo(20);
    for (int i = 0; i < split.test().size(); i++) {
      // the latest two events of each user are e = 0 and e = 1 (timestamps ...9 and ...8)
      assertThat(split.test().item(i) % 10).isLessThan(2);
    }
  }

  @Test
  void temporalCutsOnGlobalTime() {
    Split split = Splitters.temporal(log(), 0.5);
    long maxTrain = split.train().maxTimestamp();
    assertThat(split.test().minTimestamp()).isGreaterThanOrEqualTo(maxTrain);
    assertThat(split.train().size()).isEqualTo(50);
  }

  @Test
  void leaveLastOutHoldsOutEachUsersLatestEvent() {
    Split split = Splitters.leaveLastOut(log());
    assertThat(split.test().size()).isEqualTo(10);
    for (int i = 0; i < 10; i++) {
      assertThat(split.test().item(i) % 10).isZero();
    }
  }

  @Test
  void randomHoldOutRespectsTheFraction() {
    Split split = Splitters.random(log(), 0.7, 3);
    assertThat(split.train().size()).isEqualTo(70);
    assertThat(keys(split.test())).doesNotContainAnyElementsOf(keys(split.train()));
    assertThatThrownBy(() -> Splitters.random(log(), 1.5, 3)).hasMessageContaining("(0, 1)");
  }

  @Test
  void protocolNamesParse() {
    assertThat(Protocol.parse("user-temporal")).isEqualTo(Protocol.USER_TEMPORAL);
    assertThat(Protocol.USER_TEMPORAL.cliName()).isEqualTo("user-temporal");
    assertThatThrownBy(() -> Protocol.parse("bootstrap")).hasMessageContaining("unknown protocol");
  }

  @Test
  void trainSampleKeepsASeededNestedFractionAndLeavesTestAlone() {
    Split split = Splitters.userTemporal(log(), 0.8);
    Split tenth = Splitters.sampleTrain(split, 0.1, 7);
    Split quarter = Splitters.sampleTrain(split, 0.25, 7);
    assertThat(tenth.train().size()).isEqualTo(Math.round(0.1 * split.train().size()));
    assertThat(quarter.train().size()).isEqualTo(Math.round(0.25 * split.train().size()));
    assertThat(tenth.test()).isSameAs(split.test());
    assertThat(keys(split.train())).containsAll(keys(quarter.train()));
    assertThat(keys(quarter.train())).containsAll(keys(tenth.train()));
    assertThat(keys(Splitters.sampleTrain(split, 0.1, 7).train())).isEqualTo(keys(tenth.train()));
    assertThat(keys(Splitters.sampleTrain(split, 0.1, 8).train())).isNotEqualTo(keys(tenth.train()));
    assertThat(Splitters.sampleTrain(split, 1, 7)).isSameAs(split);
    java.util.Map<Long, Integer> position = new java.util.HashMap<>();
    for (int i = 0; i < split.train().size(); i++) {
      position.put(((long) split.train().user(i) << 32) | split.train().item(i), i);
    }
    int previous = -1;
    for (int i = 0; i < quarter.train().size(); i++) {
      int at = position.get(((long) quarter.train().user(i) << 32) | quarter.train().item(i));
      assertThat(at).as("kept events stay in the training order").isGreaterThan(previous);
      previous = at;
    }
    assertThatThrownBy(() -> Splitters.sampleTrain(split, 0, 7)).hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> Splitters.sampleTrain(split, 1.5, 7)).hasMessageContaining("(0, 1]");
  }
}
