package io.perennial.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StructuresTest {

  @Test
  void idIndexAssignsDenseIdsInOrderAndGrows() {
    IdIndex index = new IdIndex(1);
    assertThat(index.getOrAdd("b")).isZero();
    assertThat(index.getOrAdd("a")).isEqualTo(1);
    assertThat(index.getOrAdd("b")).isZero();
    for (int i = 0; i < 1000; i++) {
      index.getOrAdd("x" + i);
    }
    assertThat(index.size()).isEqualTo(1002);
    assertThat(index.idOf(1)).isEqualTo("a");
    assertThat(index.indexOf("missing")).isEqualTo(-1);
    assertThatThrownBy(() -> IdIndex.of(java.util.List.of("a", "a"))).hasMessageContaining("duplicate id 'a'");
  }

  @Test
  void csrSortsColumnsAndSumsDuplicates() {
    InteractionLog log = new InteractionLog(2);
    log.add(0, 3, 1f, 0, InteractionType.VIEW);
    log.add(0, 1, 2f, 0, InteractionType.VIEW);
    log.add(2, 0, 1f, 0, InteractionType.VIEW);
    log.add(0, 3, 4f, 0, InteractionType.VIEW);
    CsrMatrix byUser = CsrMatrix.byUser(log, 3, 4);
    assertThat(byUser.rowColumns(0)).containsExactly(1, 3);
    assertThat(byUser.rowValues(0)).containsExactly(2f, 5f);
    assertThat(byUser.rowLength(1)).isZero();
    assertThat(byUser.nonZeros()).isEqualTo(3);
    assertThat(byUser.contains(2, 0)).isTrue();
    assertThat(byUser.contains(2, 1)).isFalse();
    CsrMatrix byItem = CsrMatrix.byItem(log, 3, 4);
    assertThat(byItem.rowColumns(3)).containsExactly(0);
    assertThat(byItem.rowColumns(0)).containsExactly(2);
  }

  @Test
  void giniOfUniformIsZeroAndOfConcentratedApproachesOne() {
    assertThat(DatasetStats.gini(new long[] {5, 5, 5, 5})).isCloseTo(0, within(1e-12));
    // x = (1, 3): G = ((2·1-2-1)·1 + (2·2-2-1)·3) / (2·4) = (−1 + 3)/8 = 0.25
    assertThat(DatasetStats.gini(new long[] {1, 3})).isCloseTo(0.25, within(1e-12));
    long[] skewed = new long[100];
    skewed[0] = 1_000_000;
    for (int i = 1; i < 100; i++) {
      skewed[i] = 1;
    }
    assertThat(DatasetStats.gini(skewed)).isGreaterThan(0.95);
  }

  @Test
  void statsDescribeADataset() {
    InteractionLog log = new InteractionLog();
    log.add(0, 0, 1f, 100, InteractionType.VIEW);
    log.add(0, 1, 3f, 200, InteractionType.VIEW);
    log.add(1, 0, 2f, 86_500, InteractionType.VIEW);
    IdIndex users = IdIndex.of(java.util.List.of("a", "b", "c"));
    IdIndex items = IdIndex.of(java.util.List.of("x", "y"));
    DatasetStats s = DatasetStats.of(new Dataset(users, items, log,
        new ReadReport(3, 3, java.util.Map.of(), 0, 0, java.util.List.of())));
    assertThat(s.users()).isEqualTo(2);
    assertThat(s.items()).isEqualTo(2);
    assertThat(s.density()).isCloseTo(0.75, within(1e-12));
    assertThat(s.firstTimestamp()).isEqualTo(100);
    assertThat(s.lastTimestamp()).isEqualTo(86_500);
    assertThat(s.meanValue()).isCloseTo(2.0, within(1e-12));
  }

  @Test
  void interactionRejectsNonFiniteValues() {
    assertThatThrownBy(() -> new Interaction(0, 0, Float.NaN, 0, InteractionType.VIEW))
        .hasMessageContaining("finite");
  }
}
