package io.perennial.model.content;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.model.Algorithms;
import io.perennial.model.Fixtures;
import io.perennial.model.Recommendations;
import io.perennial.model.Update;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The checkerboard with items 0–9 and 40–59 held back: their content (block genre and words) is
 * known, their events are not. The hybrid model must place them in the right block at once, in the
 * same ranking as the warm items, and move them toward their learned vectors as events arrive.
 */
class HybridColdStartTest {

  private static boolean cold(int item) {
    return item % 40 < 10;
  }

  private static HybridModel train() {
    Dataset full = Fixtures.implicitCheckerboard(1);
    InteractionLog warm = new InteractionLog();
    for (int e = 0; e < full.log().size(); e++) {
      if (!cold(full.log().item(e))) {
        warm.add(full.log().get(e));
      }
    }
    HybridTrainer trainer = (HybridTrainer) ((ContentAware) Algorithms.trainer("hybrid", null))
        .withContent(Fixtures.checkerboardContent());
    return (HybridModel) trainer.fit(full.withLog(warm));
  }

  @Test
  void coldItemsGetMappedVectorsAndRankInTheirUsersBlock() {
    HybridModel model = train();
    int coldInRightBlock = 0;
    int coldRanked = 0;
    for (int u = 0; u < Fixtures.USERS; u++) {
      int block = Fixtures.userGroup(u);
      Recommendations top = model.recommend(u, 5, true, i -> cold(i));
      for (int i : top.ids()) {
        coldRanked++;
        coldInRightBlock += Fixtures.itemGroup(i) == block ? 1 : 0;
      }
    }
    assertThat((double) coldInRightBlock / coldRanked).as("cold items recommended inside the user's block").isGreaterThan(0.95);
    // a mapped vector is a real row, so a vector index over the model holds the cold items too
    float[] vectors = model.retrievalItemVectors();
    int d = model.retrievalDims();
    for (int i = 0; i < 10; i++) {
      float norm = 0;
      for (int c = 0; c < d; c++) {
        norm += vectors[i * d + c] * vectors[i * d + c];
      }
      assertThat(norm).as("mapped vector of cold item %d", i).isPositive();
      assertThat(model.learnedWeight(i)).isZero();
    }
  }

  @Test
  void coldAndWarmItemsShareOneRanking() {
    HybridModel model = train();
    int usersWithBoth = 0;
    for (int u = 0; u < Fixtures.USERS; u++) {
      int[] top = model.recommend(u, 20, true, null).ids();
      boolean anyCold = Arrays.stream(top).anyMatch(HybridColdStartTest::cold);
      boolean anyWarm = Arrays.stream(top).anyMatch(i -> !cold(i));
      usersWithBoth += anyCold && anyWarm ? 1 : 0;
      int block = Fixtures.userGroup(u);
      assertThat(Arrays.stream(top).limit(10).allMatch(i -> Fixtures.itemGroup(i) == block))
          .as("user %d's top 10 in its block", u).isTrue();
    }
    assertThat(usersWithBoth).as("users whose top 20 mixes cold and warm items").isGreaterThan(Fixtures.USERS / 2);
  }

  @Test
  void aColdItemMovesTowardItsLearnedVectorAsEventsArrive() {
    HybridModel model = train();
    InteractionLog events = new InteractionLog();
    for (int u = 0; u < 20; u++) {
      events.add(u, 3, 1f, 50_000 + u, InteractionType.VIEW);
    }
    model.partialFit(Update.of(events, Fixtures.USERS, Fixtures.ITEMS));
    assertThat(model.learnedWeight(3)).isCloseTo(20f / 30f, org.assertj.core.api.Assertions.within(1e-5f));
    assertThat(model.learnedWeight(4)).isZero();
    assertThat(model.score(0, 3)).isGreaterThan(model.score(Fixtures.USERS - 1, 3));
  }

  @Test
  void learningOnlineReblendsTheItemAsPartialFitWould() {
    HybridModel online = train();
    HybridModel batch = train();
    online.learnOnline(0, 5, 1f, 60_000);
    InteractionLog one = new InteractionLog();
    one.add(0, 5, 1f, 60_000, InteractionType.VIEW);
    batch.partialFit(Update.of(one, Fixtures.USERS, Fixtures.ITEMS));
    assertThat(online.learnedWeight(5)).isEqualTo(batch.learnedWeight(5)).isPositive();
    int d = online.retrievalDims();
    float[] a = java.util.Arrays.copyOfRange(online.retrievalItemVectors(), 5 * d, 6 * d);
    float[] b = java.util.Arrays.copyOfRange(batch.retrievalItemVectors(), 5 * d, 6 * d);
    float[] mappedOnly = java.util.Arrays.copyOfRange(train().retrievalItemVectors(), 5 * d, 6 * d);
    assertThat(a).isNotEqualTo(mappedOnly);
    assertThat(b).isNotEqualTo(mappedOnly);
  }
}
