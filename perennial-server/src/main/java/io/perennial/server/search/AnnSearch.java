package io.perennial.server.search;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.quantization.KMeansPlusPlusClusterer;
import io.github.jbellis.jvector.quantization.MutablePQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.perennial.kernel.TopK;
import io.perennial.kernel.VectorOps;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.VectorRetrieval;
import io.perennial.server.learn.ServedModel;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Top-K through an approximate nearest-neighbour graph (jvector) over the served model's item
 * vectors ({@link VectorRetrieval}: factor models, and any embedding model whose top-K an inner
 * product can propose), for catalogues too big to score whole on every request. jvector was kept over hnswlib-java
 * after measuring both on the same BPR vectors (docs/BENCHMARKS.md, "Top-K search").
 *
 * <p>Maximum inner product is turned into nearest neighbour (Bachrach et al., RecSys 2014): an item
 * is stored as {@code [q_i, b_i, sqrt(M² - |q_i|² - b_i²)]}, with {@code M} the largest item norm, and
 * a user searches with {@code [p_u, 1, 0]} ({@code p_u} = {@link VectorRetrieval#retrievalQuery}), so
 * Euclidean order is the retrieval score's order. Graphs built on the raw inner product, which is not a
 * metric, lost most of their recall on some builds (measured in docs/BENCHMARKS.md). The graph only
 * proposes candidates: each is re-scored with the live model's {@link Recommender#score}, so the answer
 * is ranked by current scores even when the graph lags, and a model whose score is not the inner
 * product (NeuMF) is served in two stages: the graph retrieves {@link
 * VectorRetrieval#retrievalCandidates} candidates (or the operator's {@code rerankCandidates}) by the
 * proxy, the full model ranks them.
 *
 * <p>A background thread keeps the graph following the model. Every {@code refreshEvery} it copies
 * the item table into the graph's vectors (an online learner moves most item vectors a little all the
 * time; the graph's edges stay, its distances follow), inserts new items, and scores a few sampled
 * users both ways. The number of candidates a search asks for follows that sampled recall@10,
 * kept a little above {@code minRecall}: fewer when the graph is fresh, more as its edges age. When
 * the widest search still falls under {@code minRecall}, or the served model is replaced (retrain,
 * rollback), a new graph is built beside the old one and swapped in. Until a graph for the served
 * model exists, and for catalogues under {@code exactBelow} items, requests are scored exactly. The
 * sampled recall measures the graph, not the proxy: for a model whose retrieval is only a proxy it
 * counts the exact retrieval top-10 among the graph's candidates, so a proxy that disagrees with the
 * model does not make the graph look stale.
 */
public final class AnnSearch implements TopKSearch {

  private static final Logger LOG = LoggerFactory.getLogger(AnnSearch.class);
  private static final VectorTypeSupport VECTORS = VectorizationProvider.getInstance().getVectorTypeSupport();
  private static final VectorSimilarityFunction METRIC = VectorSimilarityFunction.EUCLIDEAN;
  /**
   * Whether searches score with our kernel: only where it is vectorised and jvector's vectors are
   * plain arrays (its JDK 17 provider), that is where jvector itself would be scalar.
   */
  private static final boolean OWN_DISTANCES = VectorOps.isVectorized()
      && VECTORS.createFloatVector(new float[1]).get() instanceof float[];
  private static final int[] NONE = new int[0];
  private static final int RECALL_K = 10;
  private static final int RECALL_WINDOW = 200;
  private static final int COPY_BLOCK = 4096;
  /** Sampled recall above {@code minRecall} that the candidate count aims to keep. */
  private static final double RECALL_SLACK = 0.05;
  private static final int CANDIDATE_STEP = 10;
  private static final int MIN_EXTRA_CANDIDATES = 10;
  /** The widest search, as a multiple of the configured margin, tried before a rebuild. */
  private static final int MAX_CANDIDATE_FACTOR = 3;
  /** Items inserted between two pauses of a paced rebuild (a power of two). */
  private static final int PACED_BUILD_SLICE = 64;

  /** Catalogue size from which {@code auto} search uses the graph. */
  public static final int DEFAULT_EXACT_BELOW = 20_000;

  /**
   * Tuning.
   *
   * @param exactBelow catalogues smaller than this are scored exactly
   * @param degree graph degree (jvector's M)
   * @param beamWidth candidate list size while building
   * @param searchBeam least candidate list size while searching (it is at least the candidates
   *     asked for; 1 by default, so the beam follows the adapted candidate count)
   * @param extraCandidates candidates beyond {@code k} that are re-scored at first (seen items are
   *     filtered inside the search); the follower then adapts it to the sampled recall, between 10
   *     and 3× this
   * @param minRecall sampled recall under which, once the search is as wide as it may get, the
   *     graph is rebuilt; the candidate count aims at this plus 0.05
   * @param refreshEvery how often the graph's vectors are brought up to date with the model
   * @param recallSamples users sampled per refresh to estimate recall@10 against exact scoring
   * @param minRebuildInterval least time between two rebuilds of a graph for the same model
   * @param buildThreads threads that build a graph (the rest of the machine keeps serving)
   * @param seed seeds the recall sampling
   * @param rerankCandidates candidates the graph proposes for re-ranking by the model's score before
   *     the margin is added (at least k); 0 = the model's own {@link VectorRetrieval#retrievalCandidates}
   * @param pqSubspaces 0 for searches on the full vectors; otherwise the graph is walked by
   *     jvector's product-quantised distances ({@code pqSubspaces} one-byte codes per item, 256
   *     centroids per subspace) and its best {@code pqRerank} × the candidates asked for are
   *     re-ranked by the exact distance before the model re-scores them
   * @param pqRerank how many times the candidates asked for the PQ walk keeps for exact re-ranking
   */
  public record Settings(int exactBelow, int degree, int beamWidth, int searchBeam, int extraCandidates, Duration refreshEvery,
      int recallSamples, double minRecall, Duration minRebuildInterval, int buildThreads, long seed,
      int rerankCandidates, int pqSubspaces, int pqRerank) {

    public Settings {
      if (pqSubspaces < 0 || pqRerank < 1) {
        throw new IllegalArgumentException("PQ subspaces must be 0 (off) or more and the PQ re-rank factor at least 1, got "
            + pqSubspaces + " and " + pqRerank);
      }
      if (exactBelow < 0 || degree < 2 || beamWidth < 1 || searchBeam < 1 || extraCandidates < 0 || recallSamples < 0
          || minRecall < 0 || minRecall > 1 || buildThreads < 1) {
        throw new IllegalArgumentException("invalid ANN search settings");
      }
      if (rerankCandidates < 0) {
        throw new IllegalArgumentException("rerank candidates must be 0 (the model's default) or more, got "
            + rerankCandidates);
      }
    }

    /** These settings with the model's own re-rank candidate count. */
    public Settings(int exactBelow, int degree, int beamWidth, int searchBeam, int extraCandidates, Duration refreshEvery,
        int recallSamples, double minRecall, Duration minRebuildInterval, int buildThreads, long seed) {
      this(exactBelow, degree, beamWidth, searchBeam, extraCandidates, refreshEvery, recallSamples, minRecall,
          minRebuildInterval, buildThreads, seed, 0);
    }

    /** These settings with full-vector searches (no product quantisation). */
    public Settings(int exactBelow, int degree, int beamWidth, int searchBeam, int extraCandidates, Duration refreshEvery,
        int recallSamples, double minRecall, Duration minRebuildInterval, int buildThreads, long seed,
        int rerankCandidates) {
      this(exactBelow, degree, beamWidth, searchBeam, extraCandidates, refreshEvery, recallSamples, minRecall,
          minRebuildInterval, buildThreads, seed, rerankCandidates, 0, 1);
    }

    /**
     * As these, walking the graph by product-quantised distances with {@code subspaces} codes per
     * item (0 = off), the best {@code rerank} × the candidates re-ranked exactly.
     */
    public Settings withProductQuantization(int subspaces, int rerank) {
      return new Settings(exactBelow, degree, beamWidth, searchBeam, extraCandidates, refreshEvery, recallSamples,
          minRecall, minRebuildInterval, buildThreads, seed, rerankCandidates, subspaces, rerank);
    }

    /** As these, building graphs on {@code threads} threads. */
    public Settings withBuildThreads(int threads) {
      return new Settings(exactBelow, degree, beamWidth, searchBeam, extraCandidates, refreshEvery, recallSamples,
          minRecall, minRebuildInterval, threads, seed, rerankCandidates, pqSubspaces, pqRerank);
    }

    /** Defaults measured with {@code AnnComparison} and {@code bench serve} (docs/BENCHMARKS.md). */
    public static Settings defaults() {
      return new Settings(DEFAULT_EXACT_BELOW, 16, 100, 1, 50, Duration.ofSeconds(2), 4, 0.9,
          Duration.ofMinutes(10), 1, 1);
    }

    /** As these, but scoring exactly below {@code items}. */
    public Settings withExactBelow(int items) {
      return new Settings(items, degree, beamWidth, searchBeam, extraCandidates, refreshEvery, recallSamples, minRecall,
          minRebuildInterval, buildThreads, seed, rerankCandidates, pqSubspaces, pqRerank);
    }

    /** As these, with another search beam and candidate margin (for measuring the trade-off). */
    public Settings withSearch(int beam, int extra) {
      return new Settings(exactBelow, degree, beamWidth, beam, extra, refreshEvery, recallSamples, minRecall,
          minRebuildInterval, buildThreads, seed, rerankCandidates, pqSubspaces, pqRerank);
    }

    /** As these, building graphs of this degree (jvector's M) with this candidate list size. */
    public Settings withGraph(int graphDegree, int buildBeam) {
      return new Settings(exactBelow, graphDegree, buildBeam, searchBeam, extraCandidates, refreshEvery, recallSamples,
          minRecall, minRebuildInterval, buildThreads, seed, rerankCandidates, pqSubspaces, pqRerank);
    }

    /** As these, re-ranking {@code candidates} proposals per request (0 = the model's default). */
    public Settings withRerankCandidates(int candidates) {
      return new Settings(exactBelow, degree, beamWidth, searchBeam, extraCandidates, refreshEvery, recallSamples,
          minRecall, minRebuildInterval, buildThreads, seed, candidates, pqSubspaces, pqRerank);
    }
  }

  private final Settings settings;
  private final ForkJoinPool buildPool;
  private final SplittableRandom sampler;
  private volatile Graph current;
  /** The follower's copy of the item table; only the follower thread touches it. */
  private float[] snapshotBuffer;
  private volatile Thread follower;
  private volatile boolean closed;
  private final AtomicLong approximateQueries = new AtomicLong();
  private final LongAdder searches = new LongAdder();
  private final LongAdder nodesVisited = new LongAdder();
  private final AtomicLong exactQueries = new AtomicLong();
  private final AtomicLong builds = new AtomicLong();
  private volatile long lastBuildMillis;

  public AnnSearch(Settings settings) {
    this.settings = settings;
    this.buildPool = new ForkJoinPool(settings.buildThreads());
    this.sampler = new SplittableRandom(settings.seed());
  }

  /** Item vectors by item index, as the graph sees them; rows are overwritten as the model learns. */
  private static final class ItemVectors implements RandomAccessVectorValues {
    private final int dimensions;
    private volatile VectorFloat<?>[] rows;
    private volatile int size;

    ItemVectors(int dimensions, int capacity) {
      this.dimensions = dimensions;
      this.rows = new VectorFloat<?>[Math.max(16, capacity)];
    }

    /** Sets row {@code item} from {@code source[from..from+d)}; appends when it is the next row. */
    void put(int item, float[] source, int from) {
      if (item >= size) {
        VectorFloat<?>[] r = rows;
        if (item >= r.length) {
          r = Arrays.copyOf(r, Math.max(item + 1, r.length * 3 / 2));
        }
        r[item] = VECTORS.createFloatVector(Arrays.copyOfRange(source, from, from + dimensions));
        rows = r;
        size = item + 1;
        return;
      }
      // A search reading mid-copy sees a vector between the old and the new one, which only changes
      // which candidates it proposes, never the score they are ranked by.
      // Element by element: a vector wrapping a staging array would be a copy, not a view, on
      // jvector's Panama provider (JDK 20+).
      VectorFloat<?> row = rows[item];
      for (int j = 0; j < dimensions; j++) {
        row.set(j, source[from + j]);
      }
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public int dimension() {
      return dimensions;
    }

    @Override
    public VectorFloat<?> getVector(int node) {
      return rows[node];
    }

    @Override
    public boolean isValueShared() {
      return false;
    }

    @Override
    public RandomAccessVectorValues copy() {
      return this;
    }
  }

  /** One graph over one model's items. Written only by the follower thread. */
  private static final class Graph {
    final Recommender model;
    /** {@link #model} as the source of the vectors and as the keeper of histories and retired items. */
    final VectorRetrieval retrieval;
    final AbstractRecommender recommender;
    final ItemVectors vectors;
    final GraphIndexBuilder builder;
    final ImmutableGraphIndex index;
    final ConcurrentLinkedQueue<GraphSearcher> searchers = new ConcurrentLinkedQueue<>();
    /** Product-quantised codes of the vectors the graph is walked by, or {@code null} (full vectors). */
    MutablePQVectors codes;
    final long builtAtNanos = System.nanoTime();
    /** {@code M} of the norm-equalising column, fixed when the graph is built. */
    final double maxNorm;
    final boolean[] recallHits = new boolean[RECALL_WINDOW * RECALL_K];
    /** Items under {@link #count} left out of the graph because their vector is zero (follower only). */
    final java.util.BitSet flatItems = new java.util.BitSet();
    /**
     * The same items by descending bias: their retrieval score is their bias for every user, so the
     * first eligible ones are the only candidates among them.
     */
    volatile int[] flatByBias = NONE;
    int recallSamples;
    volatile int count;
    /** Candidates asked beyond k, adapted to the sampled recall (see {@link #adaptCandidates}). */
    volatile int extra;
    /**
     * Whether the sampled recall says this graph cannot serve the model's vectors (see {@link
     * #judge}); requests are then scored exactly while the sampling goes on.
     */
    volatile boolean unfit;

    Graph(Recommender model, ItemVectors vectors, GraphIndexBuilder builder, ImmutableGraphIndex index, int count,
        double maxNorm, int extra) {
      this.model = model;
      this.retrieval = (VectorRetrieval) model;
      this.recommender = (AbstractRecommender) model;
      this.extra = extra;
      this.maxNorm = maxNorm;
      this.vectors = vectors;
      this.builder = builder;
      this.index = index;
      this.count = count;
    }

    double recall() {
      int n = Math.min(recallSamples, RECALL_WINDOW) * RECALL_K;
      int hits = 0;
      for (int p = 0; p < n; p++) {
        hits += recallHits[p] ? 1 : 0;
      }
      return n == 0 ? Double.NaN : (double) hits / n;
    }
  }

  @Override
  public Recommendations recommend(Recommender model, int user, int k, boolean excludeSeen, IntPredicate filter) {
    Graph graph = current;
    if (graph == null || graph.model != model || graph.unfit || graph.recommender.history().items(user).length == 0) {
      exactQueries.incrementAndGet();
      return model.recommend(user, k, excludeSeen, filter);
    }
    int[] seen = excludeSeen ? graph.recommender.history().items(user) : NONE;
    Recommendations r = approximate(graph, user, k, rerankCandidates(graph.retrieval, k), seen, filter, false);
    if (r == null) {
      exactQueries.incrementAndGet();
      return model.recommend(user, k, excludeSeen, filter);
    }
    approximateQueries.incrementAndGet();
    return r;
  }

  /**
   * Candidates the graph proposes for a top-{@code k} before the margin: the operator's count when
   * set, else the model's (k itself when the retrieval score is the model's score).
   */
  private int rerankCandidates(VectorRetrieval model, int k) {
    int configured = settings.rerankCandidates();
    return Math.max(k, configured > 0 ? configured : model.retrievalCandidates(k));
  }

  /**
   * The graph's answer re-scored against the live model, or null when it found fewer than k or the
   * model has no query vector for the user. Seen, filtered and retired items are skipped inside the
   * graph search itself, so it is asked for only {@code candidates + extra} (the margin absorbs
   * vectors that moved since the last refresh), whatever the length of the user's history. Only when
   * that leaves fewer than k is a 4× wider search made. The candidates are ranked by
   * {@link Recommender#score}, or with {@code byRetrieval} by the retrieval score itself (the
   * sampled recall of a proxy).
   */
  private Recommendations approximate(Graph graph, int user, int k, int candidates, int[] seen, IntPredicate filter,
      boolean byRetrieval) {
    AbstractRecommender model = graph.recommender;
    int indexed = Math.min(graph.count, model.itemCount());
    float[] query = new float[graph.vectors.dimension()];
    if (!graphQuery(graph, user, query)) {
      return null;
    }
    float[] rankQuery = byRetrieval ? query : null;
    Bits accept = item -> item < indexed && eligible(model, item, seen, filter);
    int want = Math.min(indexed, candidates + graph.extra);
    for (int attempt = 0; attempt < 2; attempt++) {
      SearchResult found = search(graph, query, want, accept);
      TopK top = new TopK(k);
      for (SearchResult.NodeScore hit : found.getNodes()) {
        if (hit.node < indexed) {
          offer(top, graph, user, hit.node, seen, filter, rankQuery);
        }
      }
      // Items added since the last refresh are not in the graph yet: they are few, score them all.
      for (int item = indexed; item < model.itemCount(); item++) {
        offer(top, graph, user, item, seen, filter, rankQuery);
      }
      offerFlat(top, graph, user, want, indexed, seen, filter, rankQuery);
      if (top.size() >= k || want >= indexed) {
        int[] ids = new int[top.size()];
        float[] scores = new float[top.size()];
        top.drainTo(ids, scores);
        return new Recommendations(ids, scores, false);
      }
      want = Math.min(indexed, want * 4);
    }
    return null;
  }

  private SearchResult search(Graph graph, float[] query, int want, Bits accept) {
    GraphSearcher searcher = graph.searchers.poll();
    if (searcher == null) {
      searcher = new GraphSearcher(graph.index);
    }
    try {
      SearchResult result;
      if (graph.codes != null) {
        // walked by the codes' table look-ups; the best pqRerank × want re-ranked by the exact distance
        ScoreFunction.ExactScoreFunction exact = OWN_DISTANCES ? euclidean(query, graph.vectors)
            : DefaultSearchScoreProvider.exact(VECTORS.createFloatVector(query), METRIC, graph.vectors).exactScoreFunction();
        SearchScoreProvider scores = new DefaultSearchScoreProvider(
            graph.codes.precomputedScoreFunctionFor(VECTORS.createFloatVector(query), METRIC), exact);
        result = searcher.search(scores, want, Math.max(want * settings.pqRerank(), settings.searchBeam()), 0f, 0f, accept);
      } else {
        SearchScoreProvider scores = OWN_DISTANCES ? new DefaultSearchScoreProvider(euclidean(query, graph.vectors))
            : DefaultSearchScoreProvider.exact(VECTORS.createFloatVector(query), METRIC, graph.vectors);
        result = searcher.search(scores, want, Math.max(want, settings.searchBeam()), 0f, 0f, accept);
      }
      searches.increment();
      nodesVisited.add(result.getVisitedCount());
      return result;
    } finally {
      graph.searchers.offer(searcher);
    }
  }

  /**
   * jvector's {@link #METRIC} computed by our SIMD kernel. A search spends about half its time in
   * this function; jvector's own vectorised path needs JDK 20+ and falls back to scalar code on 17.
   */
  private static ScoreFunction.ExactScoreFunction euclidean(float[] query, ItemVectors vectors) {
    int d = query.length;
    return node -> 1f / (1f + VectorOps.squaredDistance(query, 0, (float[]) vectors.getVector(node).get(), 0, d));
  }

  /**
   * Writes the graph's query for {@code user}, {@code [p_u, 1, 0]} scaled onto the items' sphere,
   * into {@code query}; false when the model has no query vector for the user.
   */
  private static boolean graphQuery(Graph graph, int user, float[] query) {
    if (!graph.retrieval.retrievalQuery(user, query)) {
      return false;
    }
    int dims = graph.retrieval.retrievalDims();
    query[dims] = 1;
    onItemSphere(query, dims + 1, graph.maxNorm);
    return true;
  }

  private static boolean eligible(AbstractRecommender model, int item, int[] seen, IntPredicate filter) {
    return (seen.length == 0 || Arrays.binarySearch(seen, item) < 0) && (filter == null || filter.test(item))
        && !model.isRetired(item);
  }

  /** Offers an eligible item at the model's score, or with a {@code rankQuery} at its retrieval score. */
  private static void offer(TopK top, Graph graph, int user, int item, int[] seen, IntPredicate filter,
      float[] rankQuery) {
    if (eligible(graph.recommender, item, seen, filter)) {
      top.offer(item, rankQuery == null ? graph.recommender.score(user, item)
          : retrievalScore(graph.retrieval, rankQuery, item));
    }
  }

  /**
   * Offers the first {@code want} eligible items with a zero vector, in descending bias: the
   * retrieval ranks them by their bias alone, the same for every user, so these are the candidates the
   * graph would have proposed among them.
   */
  private static void offerFlat(TopK top, Graph graph, int user, int want, int indexed, int[] seen, IntPredicate filter,
      float[] rankQuery) {
    int[] flat = graph.flatByBias;
    int offered = 0;
    for (int p = 0; p < flat.length && offered < want; p++) {
      int item = flat[p];
      if (item < indexed && eligible(graph.recommender, item, seen, filter)) {
        offer(top, graph, user, item, seen, filter, rankQuery);
        offered++;
      }
    }
  }

  /**
   * Whether the item's retrieval vector (the snapshot row's first {@code d - 2} columns) is zero: an
   * item never learned (iALS solves it to 0) or retired. Such rows are one point of the graph's
   * space (bias apart), and many copies of a point break the graph: with a tenth of the items at zero
   * (iALS on a synthetic stream), a search found 8 % of the exact top-10 and 34 % when asked for two
   * thirds of the catalogue.
   */
  private static boolean isFlat(float[] snapshot, int item, int d) {
    return squaredNorm(snapshot, item * d, d - 2) == 0;
  }

  /** The items of {@code flat} by descending bias (the snapshot row's column {@code d - 2}). */
  private static int[] byBias(java.util.BitSet flat, float[] snapshot, int d) {
    if (flat.isEmpty()) {
      return NONE;
    }
    int[] items = flat.stream().toArray();
    long[] keyed = new long[items.length];
    for (int p = 0; p < items.length; p++) {
      // descending bias, ties by item: the bias's sortable bits, inverted, above the item index
      int bits = Float.floatToIntBits(snapshot[items[p] * d + d - 2]);
      int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
      keyed[p] = ((long) ~sortable << 32) | items[p];
    }
    Arrays.sort(keyed);
    for (int p = 0; p < items.length; p++) {
      items[p] = (int) keyed[p];
    }
    return items;
  }

  /**
   * {@code q · v_i + q_b · b_i}: the retrieval score when {@code q = [p_u, 1]}, a positive multiple of
   * it for the query scaled onto the items' sphere (the same order).
   */
  private static float retrievalScore(VectorRetrieval model, float[] q, int item) {
    int dims = model.retrievalDims();
    float[] bias = model.retrievalItemBias();
    return VectorOps.dot(q, 0, model.retrievalItemVectors(), item * dims, dims) + (bias == null ? 0 : q[dims] * bias[item]);
  }

  @Override
  public synchronized void attach(Supplier<ServedModel> served) {
    if (follower != null) {
      throw new IllegalStateException("already attached");
    }
    Thread t = new Thread(() -> follow(served), "perennial-ann");
    t.setDaemon(true);
    follower = t;
    t.start();
  }

  private void follow(Supplier<ServedModel> source) {
    while (!closed) {
      try {
        refresh(source.get());
      } catch (RuntimeException e) {
        // The previous graph keeps serving (re-scored, so still correct); the next refresh retries.
        LOG.warn("ANN index refresh failed: {}", e.toString());
      }
      try {
        Thread.sleep(settings.refreshEvery().toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Brings the graph up to date with {@code served}: builds one for a new model, otherwise refreshes
   * its vectors, inserts new items, samples recall and rebuilds when it fell too low. Public so tests
   * and benchmarks can refresh without waiting for the follower.
   */
  public void refresh(ServedModel served) {
    if (served == null || !servable(served.model())) {
      replace(null);
      return;
    }
    Recommender model = served.model();
    int count = rows(served, (VectorRetrieval) model);
    float[] snapshot = snapshotBuffer;
    int d = ((VectorRetrieval) model).retrievalDims() + 2;
    if (count < settings.exactBelow()) {
      replace(null);
      return;
    }
    Graph graph = current;
    if (graph == null || graph.model != model) {
      // Requests for this model are scored exactly until its graph exists: build at full speed.
      replace(build(model, snapshot, count, d, null));
      return;
    }
    equalizeNorms(snapshot, count, d, graph.maxNorm);
    Pacer pacer = new Pacer();
    for (int from = 0; from < count; from += COPY_BLOCK) {
      for (int item = from; item < Math.min(count, from + COPY_BLOCK); item++) {
        // re-encoding costs 256 distances per subspace: only the rows that moved
        boolean moved = graph.codes != null && item < graph.count && !sameRow(graph.vectors.getVector(item), snapshot, item * d);
        graph.vectors.put(item, snapshot, item * d);
        if (moved) {
          graph.codes.encodeAndSet(item, graph.vectors.getVector(item));
        }
      }
      pacer.pause();
    }
    boolean flatChanged = false;
    for (int item = graph.flatItems.nextSetBit(0); item >= 0 && item < count; item = graph.flatItems.nextSetBit(item + 1)) {
      if (!isFlat(snapshot, item, d)) {
        // learned since: it has a place in the graph now (its codes were re-encoded with the copy)
        graph.builder.addGraphNode(item, graph.vectors.getVector(item));
        graph.flatItems.clear(item);
        flatChanged = true;
        pacer.pause();
      }
    }
    for (int item = graph.count; item < count; item++) {
      if (graph.codes != null) {
        graph.codes.encodeAndSet(item, graph.vectors.getVector(item));
      }
      if (isFlat(snapshot, item, d)) {
        graph.flatItems.set(item);
        flatChanged = true;
      } else {
        graph.builder.addGraphNode(item, graph.vectors.getVector(item));
      }
      graph.count = item + 1;
      pacer.pause();
    }
    if (flatChanged || !graph.flatItems.isEmpty()) {
      // biases move as the model learns: re-sorted every refresh while there are such items
      graph.flatByBias = byBias(graph.flatItems, snapshot, d);
    }
    sampleRecall(graph, served, pacer);
    // read before adaptCandidates starts a new window
    boolean judged = graph.recallSamples >= RECALL_WINDOW / 2;
    double sampled = graph.recall();
    boolean widest = adaptCandidates(graph);
    if (widest && graph.recallSamples >= RECALL_WINDOW / 2 && graph.recall() < settings.minRecall()
        && System.nanoTime() - graph.builtAtNanos > settings.minRebuildInterval().toNanos()) {
      LOG.info("ANN recall@10 fell to {}; rebuilding the graph", String.format("%.3f", graph.recall()));
      // The old graph keeps serving meanwhile, so the rebuild is paced like the refresh: at full
      // speed it took a core for over a minute, and on two cores the requests queued behind it.
      replace(build(model, snapshot, count, d, new Pacer()));
    } else if (judged) {
      judge(graph, widest, sampled);
    }
  }

  /**
   * Takes a graph out of serving while its sampled recall says its answers would be wrong, and
   * back once the recall recovers: under the bar at the widest search with no rebuild allowed yet,
   * or under half the bar at any width (widening would take minutes of wrong answers). Judged on
   * a window at least half full. A graph can be unfit for a model's vectors, not only stale:
   * iALS's item norms, spread over two orders of magnitude, put most items near one pole of the
   * transformed space, where a search found 13 % of the exact top-10 from the start.
   */
  private void judge(Graph graph, boolean widest, double recall) {
    boolean unfit = recall < settings.minRecall() && (widest || recall < settings.minRecall() / 2);
    if (unfit != graph.unfit) {
      if (unfit) {
        LOG.warn("ANN sampled recall@10 {} is under the bar {}: requests are scored exactly until the graph does better",
            String.format("%.3f", recall), settings.minRecall());
      } else {
        LOG.info("ANN sampled recall@10 back to {}: the graph serves again", String.format("%.3f", recall));
      }
      graph.unfit = unfit;
    }
  }

  /**
   * Keeps the sampled recall just above the bar at the least cost: once a window of samples is
   * half full, asks for {@link #CANDIDATE_STEP} fewer candidates when recall is more than
   * {@link #RECALL_SLACK} above {@code minRecall}, or more when it is within half of that, and
   * starts a new window. A search's cost grows with its candidates (measured on a soak's
   * checkpoint: 60 cost 2.2× as much as 30, for recall 0.990 against 0.964), and the graph an
   * online learner's vectors give needs four times the work of a batch model's for the same
   * recall; on a stale graph more candidates restore recall for less than a rebuild. Returns
   * whether the search is as wide as it may get, the condition for a rebuild.
   */
  private boolean adaptCandidates(Graph graph) {
    int most = settings.extraCandidates() * MAX_CANDIDATE_FACTOR;
    int least = Math.min(MIN_EXTRA_CANDIDATES, settings.extraCandidates());
    if (graph.recallSamples < RECALL_WINDOW / 2) {
      return graph.extra >= most;
    }
    double recall = graph.recall();
    int next = graph.extra;
    if (recall > settings.minRecall() + RECALL_SLACK) {
      next = Math.max(least, next - CANDIDATE_STEP);
    } else if (recall < settings.minRecall() + RECALL_SLACK / 2) {
      next = Math.min(most, next + CANDIDATE_STEP);
    }
    if (next != graph.extra) {
      LOG.debug("ANN sampled recall@10 {}: {} candidates beyond k instead of {}", recall, next, graph.extra);
      graph.extra = next;
      graph.recallSamples = 0;
    }
    return graph.extra >= most;
  }

  /**
   * Spreads the follower's work over time: after each slice it sleeps as long as the slice ran. On a
   * small machine a refresh done in one burst takes a core from the requests for a tenth of a second
   * every two seconds, and the requests that queue meanwhile are the latency tail; at half duty the
   * refresh still ends well within its period.
   */
  private static final class Pacer {
    private long sliceStart = System.nanoTime();

    void pause() {
      long worked = System.nanoTime() - sliceStart;
      if (worked > 0) {
        LockSupport.parkNanos(Math.min(worked, 50_000_000L));
      }
      sliceStart = System.nanoTime();
    }
  }

  private void replace(Graph next) {
    // The previous graph is not closed: requests that read it before the swap may still be searching
    // it, and it holds nothing but heap, which goes with the last of them.
    current = next;
  }

  /**
   * Scores sampled users both ways, one read-lock hold each, and records how many exact top-10 the
   * graph found. When the retrieval score is the model's, exact is the model's own top-10; for a proxy
   * it is the proxy's top-10 over every item, and the graph's candidates are ranked by the proxy too,
   * so the figure is the graph's recall whatever the proxy's agreement with the model.
   */
  private void sampleRecall(Graph graph, ServedModel served, Pacer pacer) {
    AbstractRecommender model = graph.recommender;
    boolean proxy = graph.retrieval.retrievalCandidates(RECALL_K) > RECALL_K;
    for (int s = 0; s < settings.recallSamples(); s++) {
      int user = sampler.nextInt(Math.max(1, model.userCount()));
      int slot = graph.recallSamples % RECALL_WINDOW;
      boolean counted = served.read(m -> {
        if (user >= m.userCount() || model.history().items(user).length == 0) {
          return false;
        }
        // Measured as requests ask by default, the user's own items excluded: those are the answers
        // the graph has to reach past them.
        int[] seen = model.history().items(user);
        int[] exact = proxy ? exactRetrieval(graph, user, RECALL_K, seen) : m.recommend(user, RECALL_K, true, null).ids();
        if (exact == null) {
          return false;
        }
        Recommendations approx = approximate(graph, user, RECALL_K, RECALL_K, seen, null, proxy);
        int[] got = approx == null ? new int[0] : approx.ids().clone();
        Arrays.sort(got);
        for (int p = 0; p < RECALL_K; p++) {
          graph.recallHits[slot * RECALL_K + p] = p < exact.length && Arrays.binarySearch(got, exact[p]) >= 0
              || p >= exact.length;
        }
        return true;
      });
      if (counted) {
        graph.recallSamples++;
      }
      pacer.pause();
    }
  }

  /**
   * The top-{@code k} of the retrieval score over every eligible item, or null when the model has no
   * query vector for the user.
   */
  private static int[] exactRetrieval(Graph graph, int user, int k, int[] seen) {
    VectorRetrieval model = graph.retrieval;
    float[] query = new float[model.retrievalDims() + 1];
    if (!model.retrievalQuery(user, query)) {
      return null;
    }
    query[model.retrievalDims()] = 1;
    TopK top = new TopK(k);
    for (int item = 0; item < graph.recommender.itemCount(); item++) {
      if (eligible(graph.recommender, item, seen, null)) {
        top.offer(item, retrievalScore(model, query, item));
      }
    }
    int[] ids = new int[top.size()];
    top.drainTo(ids, new float[top.size()]);
    return ids;
  }

  /** A new graph over the snapshot; with a pacer, one item at a time at the pacer's duty cycle. */
  private Graph build(Recommender model, float[] snapshot, int count, int d, Pacer pacer) {
    long t0 = System.nanoTime();
    double norm = maxNorm(snapshot, count, d);
    equalizeNorms(snapshot, count, d, norm);
    ItemVectors vectors = new ItemVectors(d, count + count / 4);
    for (int item = 0; item < count; item++) {
      vectors.put(item, snapshot, item * d);
    }
    GraphIndexBuilder builder = new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(vectors, METRIC), d,
        settings.degree(), settings.beamWidth(), 1.2f, 1.2f, true, true, buildPool, buildPool);
    java.util.BitSet flat = new java.util.BitSet();
    for (int item = 0; item < count; item++) {
      if (isFlat(snapshot, item, d)) {
        flat.set(item);
      }
    }
    MutablePQVectors codes = settings.pqSubspaces() > 0 ? encode(vectors, count, d) : null;
    ImmutableGraphIndex index;
    if (pacer == null && flat.isEmpty()) {
      index = builder.build(vectors);
    } else {
      for (int item = 0; item < count; item++) {
        if (!flat.get(item)) {
          builder.addGraphNode(item, vectors.getVector(item));
        }
        if (pacer != null && (item & (PACED_BUILD_SLICE - 1)) == PACED_BUILD_SLICE - 1) {
          pacer.pause();
        }
      }
      builder.cleanup();
      index = builder.getGraph();
    }
    lastBuildMillis = (System.nanoTime() - t0) / 1_000_000;
    builds.incrementAndGet();
    LOG.info("ANN graph built over {} items in {} ms ({} with a zero vector left out)", count, lastBuildMillis,
        flat.cardinality());
    Graph graph = new Graph(model, vectors, builder, index, count, norm, settings.extraCandidates());
    graph.codes = codes;
    graph.flatItems.or(flat);
    graph.flatByBias = byBias(flat, snapshot, d);
    return graph;
  }

  /**
   * Trains the product quantiser on the vectors (jvector samples at most {@link
   * ProductQuantization#MAX_PQ_TRAINING_SET_SIZE} of them) and encodes every row.
   */
  private MutablePQVectors encode(ItemVectors vectors, int count, int d) {
    int subspaces = Math.min(settings.pqSubspaces(), d);
    ProductQuantization quantizer = ProductQuantization.compute(vectors, subspaces, 256, true,
        KMeansPlusPlusClusterer.UNWEIGHTED, buildPool, buildPool);
    MutablePQVectors codes = new MutablePQVectors(quantizer);
    for (int item = 0; item < count; item++) {
      codes.encodeAndSet(item, vectors.getVector(item));
    }
    return codes;
  }

  private static boolean sameRow(VectorFloat<?> row, float[] source, int from) {
    for (int j = 0; j < row.length(); j++) {
      if (row.get(j) != source[from + j]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The item table as rows {@code [q_i, b_i, 0]}, copied a block of items per read-lock hold so that
   * the learner never waits long for the write lock (and requests queued behind it never wait for
   * the copy). Blocks copied at different moments only make the graph's proposals approximate.
   */
  private int rows(ServedModel served, VectorRetrieval model) {
    int n = served.read(m -> m.itemCount());
    int f = model.retrievalDims();
    int d = f + 2;
    // Reused between refreshes (a fresh 26 MB array every 2 s is a humongous allocation for G1).
    if (snapshotBuffer == null || snapshotBuffer.length < n * d) {
      snapshotBuffer = new float[(n + n / 4 + 16) * d];
    }
    float[] rows = snapshotBuffer;
    for (int from = 0; from < n; from += COPY_BLOCK) {
      int start = from;
      int end = Math.min(n, from + COPY_BLOCK);
      served.read(m -> {
        float[] table = model.retrievalItemVectors();
        float[] bias = model.retrievalItemBias();
        for (int item = start; item < end; item++) {
          System.arraycopy(table, item * f, rows, item * d, f);
          rows[item * d + f] = bias == null ? 0 : bias[item];
        }
        return null;
      });
    }
    return n;
  }

  /**
   * Scales the query {@code [p_u, 1]} onto the sphere of radius {@code maxNorm} where the items lie.
   * Any positive scale keeps the score order ({@code c·(p_u·q_i + b_i)}), but the distance a graph
   * search navigates by does not: an online learner grows user vectors, and a query far outside the
   * items' sphere sees them all at nearly the same distance, so the search wanders.
   */
  private static void onItemSphere(float[] query, int length, double maxNorm) {
    double norm = Math.sqrt(squaredNorm(query, 0, length));
    if (norm > 0 && maxNorm > 0) {
      float scale = (float) (maxNorm / norm);
      for (int j = 0; j < length; j++) {
        query[j] *= scale;
      }
    }
  }

  /** The largest norm of the rows' first {@code d - 1} columns. */
  private static double maxNorm(float[] rows, int count, int d) {
    double max = 0;
    for (int at = 0; at < count * d; at += d) {
      max = Math.max(max, squaredNorm(rows, at, d - 1));
    }
    return Math.sqrt(max);
  }

  private static double squaredNorm(float[] rows, int at, int length) {
    double sum = 0;
    for (int j = 0; j < length; j++) {
      sum += (double) rows[at + j] * rows[at + j];
    }
    return sum;
  }

  /**
   * Fills each row's last column so every row has norm {@code maxNorm}; a row that grew past it
   * (online updates since the build) gets 0 there, which only makes the graph's proposal for it
   * approximate, as re-scoring corrects the order.
   */
  private static void equalizeNorms(float[] rows, int count, int d, double maxNorm) {
    double m2 = maxNorm * maxNorm;
    for (int at = 0; at < count * d; at += d) {
      rows[at + d - 1] = (float) Math.sqrt(Math.max(0, m2 - squaredNorm(rows, at, d - 1)));
    }
  }

  /** True once a graph over {@code model} serves requests. */
  public boolean covers(Recommender model) {
    Graph graph = current;
    return graph != null && graph.model == model;
  }

  @Override
  public boolean ready(Recommender model) {
    return covers(model) || !servable(model) || model.itemCount() < settings.exactBelow();
  }

  /** Whether a graph can serve the model: it has item vectors, and histories to exclude seen items. */
  private static boolean servable(Recommender model) {
    return model instanceof VectorRetrieval && model instanceof AbstractRecommender;
  }

  @Override
  public Map<String, Object> status() {
    Graph graph = current;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", "ann");
    out.put("mode", graph == null ? "exact" : graph.unfit ? "exact (graph recall under the bar)" : "approximate");
    out.put("indexed_items", graph == null ? 0 : graph.count);
    out.put("sampled_recall_at_10", graph == null || graph.recallSamples == 0 ? null : graph.recall());
    out.put("approximate_queries", approximateQueries.get());
    out.put("extra_candidates", graph == null ? settings.extraCandidates() : graph.extra);
    // What a top-10 asks the graph for before the margin: 10 unless the model's retrieval is a proxy
    // or the operator set --rerank-candidates.
    out.put("rerank_candidates_at_10", graph == null ? null : rerankCandidates(graph.retrieval, RECALL_K));
    long n = searches.sum();
    out.put("mean_nodes_visited", n == 0 ? null : (double) nodesVisited.sum() / n);
    out.put("exact_queries", exactQueries.get());
    out.put("builds", builds.get());
    out.put("last_build_ms", lastBuildMillis);
    out.put("pq_subspaces", graph == null || graph.codes == null ? 0 : graph.codes.getCompressor().getSubspaceCount());
    return out;
  }

  @Override
  public void close() {
    closed = true;
    Thread t = follower;
    if (t != null) {
      t.interrupt();
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    replace(null);
    buildPool.shutdownNow();
  }
}
