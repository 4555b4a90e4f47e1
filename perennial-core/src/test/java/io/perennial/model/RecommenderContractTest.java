package io.perennial.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.store.Checkpoint;
import io.perennial.store.Provenance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link Recommender} honours. Each algorithm has a subclass naming its
 * trainer; personalised algorithms must also learn the checkerboard fixture.
 */
public abstract class RecommenderContractTest {

  @TempDir Path dir;
  protected Dataset data;
  protected Recommender model;

  /** Algorithm name for {@link Algorithms#trainer}. */
  protected abstract String algorithm();

  /** Whether recommendations depend on the user (false for popularity). */
  protected boolean personalised() {
    return true;
  }

  protected Dataset fixture() {
    return Fixtures.implicitCheckerboard(1);
  }

  protected Trainer trainer() {
    return Algorithms.trainer(algorithm(), null);
  }

  @BeforeEach
  void train() {
    data = fixture();
    model = trainer().fit(data);
  }

  @Test
  void typeAndShapeMatchTheTrainingData() {
    assertThat(model.type()).isEqualTo(algorithm());
    assertThat(model.userCount()).isEqualTo(Fixtures.USERS);
    assertThat(model.itemCount()).isEqualTo(Fixtures.ITEMS);
  }

  @Test
  void recommendReturnsKUnseenItemsBestFirst() {
    var byUser = data.byUser();
    for (int u = 0; u < Fixtures.USERS; u++) {
      Recommendations recs = model.recommend(u, 10, true, null);
      int unseen = Fixtures.ITEMS - byUser.rowLength(u);
      assertThat(recs.size()).isEqualTo(Math.min(10, unseen));
      for (int r = 0; r < recs.size(); r++) {
        assertThat(byUser.contains(u, recs.ids()[r])).as("user %d got seen item %d", u, recs.ids()[r]).isFalse();
        if (r > 0) {
          assertThat(recs.scores()[r]).isLessThanOrEqualTo(recs.scores()[r - 1]);
        }
      }
      assertThat(Arrays.stream(recs.ids()).distinct().count()).isEqualTo(recs.size());
    }
  }

  @Test
  void includingSeenItemsCanReturnThem() {
    Recommendations all = model.recommend(0, Fixtures.ITEMS, false, null);
    assertThat(all.size()).isEqualTo(Fixtures.ITEMS);
  }

  @Test
  void filterIsRespected() {
    Recommendations recs = model.recommend(3, 10, true, item -> item % 2 == 0);
    assertThat(recs.size()).isPositive();
    assertThat(Arrays.stream(recs.ids()).allMatch(i -> i % 2 == 0)).isTrue();
  }

  @Test
  void unknownUsersGetThePopularityFallbackNotAnException() {
    for (int unknown : new int[] {-1, Fixtures.USERS, Fixtures.USERS + 100}) {
      Recommendations recs = model.recommend(unknown, 5, true, null);
      assertThat(recs.fallback()).isTrue();
      assertThat(recs.size()).isEqualTo(5);
    }
    // The fallback is the most popular items.
    float[] counts = AbstractRecommender.countItems(data.log(), Fixtures.ITEMS);
    int best = 0;
    for (int i = 1; i < counts.length; i++) {
      if (counts[i] > counts[best]) {
        best = i;
      }
    }
    assertThat(model.recommend(-1, 1, true, null).ids()[0]).isEqualTo(best);
  }

  @Test
  void scoreAgreesWithRecommend() {
    for (int u : new int[] {0, 17, 45}) {
      Recommendations recs = model.recommend(u, 5, true, null);
      for (int r = 0; r < recs.size(); r++) {
        assertThat(model.score(u, recs.ids()[r])).isCloseTo(recs.scores()[r], within(1e-3f));
      }
    }
  }

  @Test
  void similarItemsExcludeTheItemAndAreSorted() {
    Recommendations similar = model.similarItems(5, 8);
    assertThat(similar.ids()).doesNotContain(5);
    assertThat(similar.size()).isLessThanOrEqualTo(8);
    for (int r = 1; r < similar.size(); r++) {
      assertThat(similar.scores()[r]).isLessThanOrEqualTo(similar.scores()[r - 1]);
    }
    if (personalised()) {
      assertThat(similar.size()).isPositive();
      long sameGroup = Arrays.stream(similar.ids()).filter(i -> Fixtures.itemGroup(i) == Fixtures.itemGroup(5)).count();
      assertThat(sameGroup).as("similar items of item 5 in its block").isGreaterThanOrEqualTo(similar.size() * 3 / 4);
    }
  }

  @Test
  void personalisedModelsLearnTheCheckerboard() {
    if (!personalised()) {
      return;
    }
    int inGroup = 0;
    int total = 0;
    for (int u = 0; u < Fixtures.USERS; u++) {
      for (int i : model.recommend(u, 5, true, null).ids()) {
        total++;
        if (Fixtures.itemGroup(i) == Fixtures.userGroup(u)) {
          inGroup++;
        }
      }
    }
    assertThat((double) inGroup / total).as("share of recommendations inside the user's block").isGreaterThan(0.9);
  }

  @Test
  void foldInRecommendsLikeTheStoredUser() {
    var byUser = data.byUser();
    for (int u : new int[] {2, 40}) {
      UserQuery query = model.foldInUser(byUser.rowColumns(u), byUser.rowValues(u));
      Recommendations folded = model.recommend(query, 5, null);
      assertThat(folded.size()).isEqualTo(5);
      for (int i : folded.ids()) {
        assertThat(byUser.contains(u, i)).isFalse();
      }
      if (personalised()) {
        long inGroup = Arrays.stream(folded.ids()).filter(i -> Fixtures.itemGroup(i) == Fixtures.userGroup(u)).count();
        assertThat(inGroup).as("folded-in user %d's recommendations in its block", u).isGreaterThanOrEqualTo(4);
      }
    }
  }

  @Test
  void partialFitGrowsTablesForNewUsersAndItems() {
    int newUser = Fixtures.USERS;
    int newItem = Fixtures.ITEMS;
    InteractionLog events = new InteractionLog();
    long t = 10_000_000;
    for (int i = Fixtures.ITEMS / 2; i < Fixtures.ITEMS / 2 + 10; i++) {
      events.add(newUser, i, fixtureValue(), t++, InteractionType.VIEW);
    }
    events.add(newUser, newItem, fixtureValue(), t++, InteractionType.VIEW);
    for (int u = Fixtures.USERS / 2; u < Fixtures.USERS / 2 + 8; u++) {
      events.add(u, newItem, fixtureValue(), t++, InteractionType.VIEW);
    }
    model.partialFit(Update.of(events, Fixtures.USERS + 1, Fixtures.ITEMS + 1));
    assertThat(model.userCount()).isEqualTo(Fixtures.USERS + 1);
    assertThat(model.itemCount()).isEqualTo(Fixtures.ITEMS + 1);
    Recommendations recs = model.recommend(newUser, 5, true, null);
    assertThat(recs.size()).isEqualTo(5);
    assertThat(recs.ids()).doesNotContain(newItem);
    assertThat(model.score(newUser, newItem)).isNotNaN();
    if (personalised()) {
      assertThat(recs.fallback()).isFalse();
      long inGroup = Arrays.stream(recs.ids()).filter(i -> i < Fixtures.ITEMS && Fixtures.itemGroup(i) == 1).count();
      assertThat(inGroup).as("new user's recommendations in block 1").isGreaterThanOrEqualTo(4);
    }
    // the new item can now be recommended to an old user of block 1 who has not seen it
    Recommendations all = model.recommend(Fixtures.USERS - 1, Fixtures.ITEMS + 1, true, null);
    assertThat(all.ids()).contains(newItem);
  }

  protected float fixtureValue() {
    return 1f;
  }

  @Test
  void checkpointRoundTripGivesIdenticalRecommendations() {
    Path file = dir.resolve("model.pmdl");
    new Checkpoint(model.state(), data.users(), data.items(),
        new Provenance(42, "fixture", data.size(), 0, 0, -1, null, Map.of("ndcg@10", 0.5), "2026-01-01T00:00:00Z", "test"))
        .write(file);
    Checkpoint loaded = Checkpoint.read(file);
    Recommender restored = Algorithms.restore(loaded.state());
    assertThat(loaded.users().ids()).isEqualTo(data.users().ids());
    assertThat(loaded.provenance().metrics()).containsEntry("ndcg@10", 0.5);
    for (int u : new int[] {0, 29, 30, 59, 1000}) {
      assertThat(restored.recommend(u, 10, true, null)).isEqualTo(model.recommend(u, 10, true, null));
    }
    assertThat(restored.score(4, 7)).isEqualTo(model.score(4, 7));
    assertThat(restored.similarItems(3, 5)).isEqualTo(model.similarItems(3, 5));
  }

  @Test
  void sameSeedAndDataGiveTheSameModel() {
    Recommender again = trainer().fit(fixture());
    for (int u = 0; u < Fixtures.USERS; u += 7) {
      assertThat(again.recommend(u, 10, true, null)).isEqualTo(model.recommend(u, 10, true, null));
    }
  }

  @Test
  void concurrentReadersSeeConsistentAnswers() throws Exception {
    List<Recommendations> expected = new ArrayList<>();
    for (int u = 0; u < Fixtures.USERS; u++) {
      expected.add(model.recommend(u, 10, true, null));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        results.add(pool.submit(() -> {
          for (int round = 0; round < 50; round++) {
            int u = (round * 7 + offset) % Fixtures.USERS;
            if (!model.recommend(u, 10, true, null).equals(expected.get(u))) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdown();
    }
  }

  /** Ids used by the fixtures, for subclasses. */
  protected static IdIndex ids(String prefix, int n) {
    IdIndex index = new IdIndex();
    for (int i = 0; i < n; i++) {
      index.getOrAdd(prefix + i);
    }
    return index;
  }
}
