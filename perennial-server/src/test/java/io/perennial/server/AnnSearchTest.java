package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.Recommendations;
import io.perennial.model.Update;
import io.perennial.server.learn.ServedModel;
import io.perennial.server.search.AnnSearch;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ANN top-K against exact scoring: recall, exclusions, catalogue growth and model swaps. */
class AnnSearchTest {

  private static FactorModel model;

  @BeforeAll
  static void train() throws Exception {
    Dataset data = SyntheticGenerator.generate(SyntheticConfig.defaults().withSize(1_500, 6_000).withEvents(60_000).withSeed(5));
    model = (FactorModel) Algorithms.trainer("bpr",
        new ObjectMapper().readTree("{\"factors\":16,\"epochs\":5,\"seed\":7,\"threads\":1}")).fit(data);
  }

  private static AnnSearch search(int exactBelow) {
    return new AnnSearch(AnnSearch.Settings.defaults().withExactBelow(exactBelow));
  }

  private static double recall(AnnSearch search, FactorModel m, boolean excludeSeen, IntPredicate filter) {
    int hits = 0;
    int total = 0;
    for (int user = 0; user < 300; user++) {
      int[] exact = m.recommend(user, 10, excludeSeen, filter).ids();
      int[] got = search.recommend(m, user, 10, excludeSeen, filter).ids().clone();
      Arrays.sort(got);
      for (int item : exact) {
        hits += Arrays.binarySearch(got, item) >= 0 ? 1 : 0;
      }
      total += exact.length;
    }
    return (double) hits / total;
  }

  @Test
  void productQuantisedWalkWithExactRerankingKeepsRecall() {
    try (AnnSearch plain = search(0);
        AnnSearch pq = new AnnSearch(AnnSearch.Settings.defaults().withExactBelow(0).withProductQuantization(9, 4))) {
      ServedModel served = new ServedModel(1, model);
      plain.refresh(served);
      pq.refresh(served);
      assertThat(pq.status().get("pq_subspaces")).isEqualTo(9);
      assertThat(plain.status().get("pq_subspaces")).isEqualTo(0);
      double pqRecall = recall(pq, model, true, null);
      assertThat(pqRecall).isGreaterThan(0.95);
      assertThat(pqRecall).isGreaterThan(recall(plain, model, true, null) - 0.03);
      // answers are ranked by the model's own score, whatever walked the graph
      Recommendations r = pq.recommend(model, 3, 10, true, null);
      for (int p = 0; p < r.size(); p++) {
        assertThat(r.scores()[p]).isEqualTo(model.score(3, r.ids()[p]));
      }
      // an item learned after the build is encoded and found
      pq.refresh(served);
      assertThat(pq.covers(model)).isTrue();
    }
  }

  @Test
  void findsAlmostEveryExactTopTenAndRanksByTheLiveScore() {
    try (AnnSearch search = search(0)) {
      ServedModel served = new ServedModel(1, model);
      search.refresh(served);
      assertThat(search.covers(model)).isTrue();
      assertThat(recall(search, model, false, null)).isGreaterThanOrEqualTo(0.95);
      assertThat(recall(search, model, true, null)).isGreaterThanOrEqualTo(0.95);
      Recommendations r = search.recommend(model, 3, 10, true, null);
      assertThat(r.ids()).hasSize(10).doesNotContain(model.history().items(3));
      for (int p = 0; p < r.size(); p++) {
        assertThat(r.scores()[p]).isEqualTo(model.score(3, r.ids()[p]));
      }
      assertThat(search.status()).containsEntry("mode", "approximate");
      assertThat((Long) search.status().get("approximate_queries")).isPositive();
      assertThat((Double) search.status().get("mean_nodes_visited")).isGreaterThan(10.0);
    }
  }

  @Test
  void rebuildsTheGraphWhenTheSampledRecallFallsUnderTheBar() {
    // A sparse graph and a narrow search find about two thirds of the exact top-10.
    assertThat(afterOneRefresh(0.0, 1)).isBetween(0.4, 0.9);
    // Under a bar it cannot reach, the refresh that samples the recall builds the graph again
    // (paced, item by item, as the old graph serves), and the new graph answers at least as well.
    assertThat(afterOneRefresh(1.0, 2)).isGreaterThan(0.5);
  }

  @Test
  void asksForFewerCandidatesWhileTheRecallIsWellAboveTheBarAndMoreWhenItIsNot() {
    FactorModel live = (FactorModel) Algorithms.copy(model);
    ServedModel served = new ServedModel(1, live);
    // 200 users sampled per refresh: every refresh completes a window and may take one step.
    try (AnnSearch search = new AnnSearch(new AnnSearch.Settings(0, 16, 100, 1, 50, Duration.ofSeconds(1), 200,
        0.8, Duration.ofMinutes(10), 1, 3))) {
      search.refresh(served);
      assertThat(search.status()).containsEntry("extra_candidates", 50);
      for (int r = 0; r < 3; r++) {
        search.refresh(served);
      }
      // a fresh graph finds nearly every exact top-10 item, far above 0.8 + 0.05
      assertThat(search.status()).containsEntry("extra_candidates", 20);
      assertThat(recall(search, live, true, null)).isGreaterThan(0.85);
    }
    // A sparse graph with a narrow search stays under 0.9 + 0.025: it widens, step by step, up to
    // 3 × 10 beyond k, and is rebuilt only then.
    try (AnnSearch search = new AnnSearch(new AnnSearch.Settings(0, 4, 20, 1, 10, Duration.ofSeconds(1), 200,
        0.9, Duration.ofMillis(1), 1, 3))) {
      search.refresh(served);
      search.refresh(served);
      assertThat(search.status()).containsEntry("extra_candidates", 20).containsEntry("builds", 1L);
      search.refresh(served);
      assertThat(search.status()).containsEntry("extra_candidates", 30);
    }
  }

  @Test
  void aGraphUnderTheBarThatMayNotBeRebuiltYetAnswersExactly() {
    FactorModel live = (FactorModel) Algorithms.copy(model);
    ServedModel served = new ServedModel(1, live);
    // The sparse, narrow graph above (recall about two thirds) under a bar of 0.99, rebuilds 10 minutes apart.
    try (AnnSearch search = new AnnSearch(new AnnSearch.Settings(0, 4, 20, 10, 0, Duration.ofSeconds(1), 200,
        0.99, Duration.ofMinutes(10), 1, 3))) {
      search.refresh(served);
      assertThat(search.status()).containsEntry("mode", "approximate");
      search.refresh(served);
      assertThat((Double) search.status().get("sampled_recall_at_10")).isLessThan(0.9);
      assertThat(search.status()).containsEntry("builds", 1L).containsEntry("mode", "exact (graph recall under the bar)");
      long exactBefore = (Long) search.status().get("exact_queries");
      for (int user = 0; user < 20; user++) {
        assertThat(search.recommend(live, user, 10, true, null)).isEqualTo(live.recommend(user, 10, true, null));
      }
      assertThat((Long) search.status().get("exact_queries")).isEqualTo(exactBefore + 20);
    }
  }

  /** Builds a graph, refreshes it once, checks the number of builds and returns the recall. */
  private static double afterOneRefresh(double minRecall, long expectedBuilds) {
    FactorModel live = (FactorModel) Algorithms.copy(model);
    ServedModel served = new ServedModel(1, live);
    try (AnnSearch search = new AnnSearch(new AnnSearch.Settings(0, 4, 20, 10, 0, Duration.ofSeconds(1), 200,
        minRecall, Duration.ofMillis(1), 1, 3))) {
      search.refresh(served);
      search.refresh(served);
      assertThat(search.status()).containsEntry("builds", expectedBuilds);
      if (expectedBuilds == 1) {
        assertThat((Double) search.status().get("sampled_recall_at_10")).isLessThan(0.9);
      } else {
        // the new graph starts a new sampling window
        assertThat(search.status().get("sampled_recall_at_10")).isNull();
      }
      return recall(search, live, true, null);
    }
  }

  @Test
  void honoursFiltersAndFallsBackToExactWhenTheyLeaveTooFewCandidates() {
    try (AnnSearch search = search(0)) {
      search.refresh(new ServedModel(1, model));
      IntPredicate even = item -> item % 2 == 0;
      Recommendations r = search.recommend(model, 5, 10, true, even);
      assertThat(r.ids()).hasSize(10);
      assertThat(Arrays.stream(r.ids()).boxed().toList()).allMatch(item -> item % 2 == 0);
      // Only 12 items allowed: the filter is applied inside the graph search, which still finds them.
      IntPredicate rare = item -> item % 500 == 7;
      Recommendations exact = model.recommend(5, 10, false, rare);
      Recommendations found = search.recommend(model, 5, 10, false, rare);
      assertThat(found.ids()).containsExactly(exact.ids());
      assertThat(found.scores()).containsExactly(exact.scores(), org.assertj.core.data.Offset.offset(1e-5f));
      // Fewer allowed items than k: the graph cannot fill the list, so exact scoring answers.
      long exactBefore = (Long) search.status().get("exact_queries");
      IntPredicate fewer = item -> item % 5000 == 7;
      assertThat(search.recommend(model, 5, 10, false, fewer)).isEqualTo(model.recommend(5, 10, false, fewer));
      assertThat((Long) search.status().get("exact_queries")).isEqualTo(exactBefore + 1);
    }
  }

  @Test
  void smallCataloguesAndUnindexedModelsAreScoredExactly() {
    try (AnnSearch search = search(1_000_000)) {
      search.refresh(new ServedModel(1, model));
      assertThat(search.covers(model)).isFalse();
      assertThat(search.status()).containsEntry("mode", "exact");
      assertThat(search.recommend(model, 7, 10, true, null)).isEqualTo(model.recommend(7, 10, true, null));
    }
    try (AnnSearch search = search(0)) {
      search.refresh(new ServedModel(1, model));
      FactorModel swapped = (FactorModel) Algorithms.copy(model);
      // A model the graph was not built for (a retrain that was just swapped in) is answered exactly.
      assertThat(search.recommend(swapped, 7, 10, true, null)).isEqualTo(swapped.recommend(7, 10, true, null));
      search.refresh(new ServedModel(2, swapped));
      assertThat(search.covers(swapped)).isTrue();
    }
  }

  @Test
  void followsTheModelAsItLearnsNewItems() throws Exception {
    FactorModel live = (FactorModel) Algorithms.copy(model);
    AtomicReference<ServedModel> served = new AtomicReference<>(new ServedModel(1, live));
    try (AnnSearch search = new AnnSearch(new AnnSearch.Settings(0, 16, 100, 200, 100, Duration.ofMillis(50), 4, 0.95,
        Duration.ofMinutes(2), 1, 3))) {
      search.attach(served::get);
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!search.covers(live) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(search.covers(live)).isTrue();
      int items = live.itemCount();
      // Forty new items, each liked by many users, arrive while the graph serves.
      InteractionLog events = new InteractionLog();
      for (int item = items; item < items + 40; item++) {
        for (int user = 0; user < 200; user++) {
          events.add(user, item, 1f, 2_000_000_000L, InteractionType.CLICK);
        }
      }
      served.get().lock().writeLock().lock();
      try {
        live.partialFit(Update.of(events, live.userCount(), items + 40));
      } finally {
        served.get().lock().writeLock().unlock();
      }
      // Until the follower inserts them, new items are scored directly; afterwards they are in the graph.
      int[] exact = live.recommend(300, 10, true, null).ids();
      assertThat(search.recommend(live, 300, 10, true, null).ids()).containsAnyOf(exact);
      deadline = System.nanoTime() + 30_000_000_000L;
      while (((Number) search.status().get("indexed_items")).intValue() < items + 40 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(search.status()).containsEntry("indexed_items", items + 40);
      assertThat(recall(search, live, true, null)).isGreaterThanOrEqualTo(0.9);
      assertThat(search.status().get("sampled_recall_at_10")).isNotNull();
    }
  }
}
