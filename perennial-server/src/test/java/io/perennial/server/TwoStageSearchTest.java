package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.model.Recommendations;
import io.perennial.server.learn.ServedModel;
import io.perennial.server.search.AnnSearch;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The ANN search over a model whose score is not its retrieval's inner product: the graph proposes
 * candidates by the proxy and the model's score ranks them (two-stage retrieval and ranking).
 */
class TwoStageSearchTest {

  private static final int USERS = 200;
  private static final int ITEMS = 3_000;
  private static final int K = 10;
  /**
   * Bonus up to 12 against an inner product of sd 1: about half of the model's top-10 lies beyond
   * the retrieval's top-60, nearly all of it within its top-350.
   */
  private static final float BONUS = 12f;

  private static ProxyRetrievalModel model(int candidateFactor) {
    return new ProxyRetrievalModel(USERS, ITEMS, 16, BONUS, candidateFactor, 0, 11);
  }

  /** Default margin (50), one sampled user per refresh, graph over every catalogue. */
  private static AnnSearch.Settings settings() {
    return new AnnSearch.Settings(0, 16, 100, 1, 50, Duration.ofSeconds(1), 1, 0.9, Duration.ofMinutes(10), 1, 3);
  }

  /** Share of the model's exact top-10 (by its full score) that the search returns. */
  private static double recall(AnnSearch search, ProxyRetrievalModel m) {
    int hits = 0;
    int total = 0;
    for (int user = 0; user < USERS; user++) {
      int[] exact = m.recommend(user, K, true, null).ids();
      int[] got = search.recommend(m, user, K, true, null).ids().clone();
      Arrays.sort(got);
      for (int item : exact) {
        hits += Arrays.binarySearch(got, item) >= 0 ? 1 : 0;
      }
      total += exact.length;
    }
    return (double) hits / total;
  }

  /** Position of {@code item} when the user's unseen items are ordered by the retrieval score alone. */
  private static int retrievalRank(ProxyRetrievalModel m, int user, int item) {
    float mine = m.retrieval(user, item);
    int above = 0;
    for (int i = 0; i < m.itemCount(); i++) {
      if (i != item && !m.history().contains(user, i) && m.retrieval(user, i) > mine) {
        above++;
      }
    }
    return above;
  }

  private static long approximateQueries(AnnSearch search) {
    return (Long) search.status().get("approximate_queries");
  }

  @Test
  void theGraphsCandidatesAreRankedByTheModelsScoreNotByTheInnerProduct() {
    ProxyRetrievalModel m = model(1);
    try (AnnSearch search = new AnnSearch(settings())) {
      search.refresh(new ServedModel(1, m));
      assertThat(search.covers(m)).isTrue();
      int reordered = 0;
      for (int user = 0; user < USERS; user++) {
        Recommendations r = search.recommend(m, user, K, true, null);
        assertThat(r.ids()).hasSize(K).doesNotContain(m.history().items(user));
        boolean outOfRetrievalOrder = false;
        for (int p = 0; p < r.size(); p++) {
          assertThat(r.scores()[p]).isEqualTo(m.score(user, r.ids()[p]));
          if (p > 0) {
            assertThat(r.scores()[p]).isLessThanOrEqualTo(r.scores()[p - 1]);
            outOfRetrievalOrder |= m.retrieval(user, r.ids()[p]) > m.retrieval(user, r.ids()[p - 1]);
          }
        }
        reordered += outOfRetrievalOrder ? 1 : 0;
      }
      // Ranked by the inner product, no list would be out of its order; the bonus reorders nearly all.
      assertThat(reordered).isGreaterThan(USERS * 9 / 10);
      assertThat(approximateQueries(search)).isEqualTo(USERS);
    }
  }

  @Test
  void moreCandidatesFindTheItemsTheRetrievalRanksLower() {
    ProxyRetrievalModel narrow = model(1);
    ProxyRetrievalModel wide = model(30);
    double fewCandidates;
    try (AnnSearch search = new AnnSearch(settings())) {
      search.refresh(new ServedModel(1, narrow));
      fewCandidates = recall(search, narrow);
    }
    double modelsOwnCount;
    try (AnnSearch search = new AnnSearch(settings())) {
      search.refresh(new ServedModel(1, wide));
      modelsOwnCount = recall(search, wide);
      assertThat(approximateQueries(search)).isEqualTo(USERS);
      assertThat(search.status()).containsEntry("rerank_candidates_at_10", 300);
    }
    double operatorsCount;
    int reachedLow = 0;
    try (AnnSearch search = new AnnSearch(settings().withRerankCandidates(300))) {
      search.refresh(new ServedModel(1, narrow));
      operatorsCount = recall(search, narrow);
      for (int user = 0; user < USERS; user++) {
        int u = user;
        int[] ids = search.recommend(narrow, user, K, true, null).ids();
        // beyond the k + 50 a search for the retrieval's own top-10 asks for
        reachedLow += Arrays.stream(ids).anyMatch(item -> retrievalRank(narrow, u, item) >= 100) ? 1 : 0;
      }
    }
    double operatorOverrides;
    try (AnnSearch search = new AnnSearch(settings().withRerankCandidates(K))) {
      search.refresh(new ServedModel(1, wide));
      operatorOverrides = recall(search, wide);
      assertThat(search.status()).containsEntry("rerank_candidates_at_10", K);
    }
    // k + 50 candidates by the retrieval hold about half of the model's top-10.
    assertThat(fewCandidates).isLessThan(0.65);
    // 300 + 50 re-ranked find almost all of it, whether the model or the operator asks for them.
    assertThat(modelsOwnCount).isGreaterThan(fewCandidates + 0.25).isGreaterThan(0.9);
    assertThat(operatorsCount).isGreaterThan(fewCandidates + 0.25).isGreaterThan(0.9);
    assertThat(reachedLow).isGreaterThan(USERS / 2);
    // --rerank-candidates 10 is the operator's word over the model's 300.
    assertThat(operatorOverrides).isLessThan(0.65);
  }

  @Test
  void theSampledRecallOfAProxyMeasuresTheGraphSoADisagreeingProxyDoesNotWidenTheSearch() {
    ProxyRetrievalModel m = model(30);
    ServedModel served = new ServedModel(1, m);
    // 60 users sampled per refresh: every second refresh completes half a window and may adapt the margin.
    try (AnnSearch search = new AnnSearch(new AnnSearch.Settings(0, 16, 100, 1, 50, Duration.ofSeconds(1), 60,
        0.8, Duration.ofMillis(1), 1, 3))) {
      search.refresh(served);
      search.refresh(served);
      // Against the model's own top-10, the k + 50 candidates sampled would hold about half of it
      // (the test above), and the margin would widen step by step up to a rebuild; the graph's own
      // recall is well above the bar, so the margin narrows instead.
      assertThat((Double) search.status().get("sampled_recall_at_10")).isGreaterThan(0.9);
      for (int r = 0; r < 3; r++) {
        search.refresh(served);
      }
      assertThat((Integer) search.status().get("extra_candidates")).isLessThan(50);
      assertThat(search.status()).containsEntry("builds", 1L);
    }
  }

  @Test
  void aUserWithoutAQueryVectorIsScoredExactly() {
    ProxyRetrievalModel m = new ProxyRetrievalModel(USERS, ITEMS, 16, BONUS, 1, 7, 11);
    try (AnnSearch search = new AnnSearch(settings())) {
      search.refresh(new ServedModel(1, m));
      assertThat(search.covers(m)).isTrue();
      assertThat(search.recommend(m, 14, K, true, null)).isEqualTo(m.recommend(14, K, true, null));
      assertThat(search.status()).containsEntry("exact_queries", 1L).containsEntry("approximate_queries", 0L);
      search.recommend(m, 15, K, true, null);
      assertThat(search.status()).containsEntry("exact_queries", 1L).containsEntry("approximate_queries", 1L);
    }
  }
}
