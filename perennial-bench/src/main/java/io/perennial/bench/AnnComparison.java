package io.perennial.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.jelmerk.knn.DistanceFunctions;
import com.github.jelmerk.knn.Item;
import com.github.jelmerk.knn.SearchResult;
import com.github.jelmerk.knn.hnsw.HnswIndex;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.kernel.TopK;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.OnlineLearner;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.server.learn.ServedModel;
import io.perennial.server.search.AnnSearch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Top-K search on a trained BPR model's item vectors: exact scoring against hnswlib-java and jvector,
 * on the same vectors, queries and candidate re-scoring, then the server's {@link AnnSearch} (seen
 * items excluded) before and after a stream of online updates. Prints a table and writes JSON.
 *
 * <p>Run: {@code java -cp perennial-bench/target/benchmarks.jar io.perennial.bench.AnnComparison
 * [items] [factors] [out.json]}.
 */
public final class AnnComparison {

  private static final int K = 10;
  private static final int CANDIDATES = 50;
  private static final int QUERIES = 2_000;

  private AnnComparison() {}

  public static void main(String[] args) throws Exception {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int factors = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    Path json = args.length > 2 ? Path.of(args[2]) : null;
    int users = items / 4;
    long t0 = System.nanoTime();
    Dataset data = SyntheticGenerator.generate(
        SyntheticConfig.defaults().withSize(users, items).withEvents(items * 12L).withSeed(7));
    // Train on the first 10/12 of the stream; the rest arrives later as online updates.
    int[] byTime = data.log().indicesByTime();
    int trainSize = byTime.length * 10 / 12;
    int[] later = Arrays.copyOfRange(byTime, trainSize, byTime.length);
    ObjectMapper mapper = new ObjectMapper();
    Recommender trained = Algorithms.trainer("bpr",
        mapper.readTree("{\"factors\":" + factors + ",\"epochs\":5,\"seed\":7}"))
        .fit(data.withLog(data.log().select(Arrays.copyOf(byTime, trainSize))));
    FactorModel model = (FactorModel) trained;
    System.out.printf(Locale.ROOT, "BPR %d users x %d items x %d factors trained in %.0f s%n",
        model.userCount(), model.itemCount(), factors, (System.nanoTime() - t0) / 1e9);
    int n = model.itemCount();
    int d = factors + 1;
    float[][] vectors = new float[n][];
    for (int i = 0; i < n; i++) {
      vectors[i] = new float[d];
      System.arraycopy(model.itemFactors(), i * factors, vectors[i], 0, factors);
      vectors[i][factors] = model.itemBias() == null ? 0 : model.itemBias()[i];
    }
    int[] queryUsers = queryUsers(model, QUERIES);
    float[][] queries = new float[queryUsers.length][];
    for (int q = 0; q < queryUsers.length; q++) {
      queries[q] = new float[d];
      System.arraycopy(model.userFactors(), queryUsers[q] * factors, queries[q], 0, factors);
      queries[q][factors] = 1;
    }

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", n);
    out.put("factors", factors);
    out.put("queries", queryUsers.length);
    out.put("k", K);
    out.put("candidates_rescored", CANDIDATES);
    out.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    out.put("cores", Runtime.getRuntime().availableProcessors());

    int[][] truth = new int[queryUsers.length][];
    double[] exactLatency = time(queryUsers.length, q -> {
      truth[q] = model.recommend(queryUsers[q], K, false, null).ids();
      return truth[q];
    });
    out.put("exact", Map.of("p50_ms", percentile(exactLatency, 50), "p99_ms", percentile(exactLatency, 99)));
    System.out.printf(Locale.ROOT, "%-32s %10s %9s %9s %9s%n", "search", "build s", "recall@10", "p50 ms", "p99 ms");
    System.out.printf(Locale.ROOT, "%-32s %10s %9.4f %9.3f %9.3f%n", "exact", "-", 1.0,
        percentile(exactLatency, 50), percentile(exactLatency, 99));

    // Both libraries on the same vectors, queries and re-scoring: the raw inner product, then the
    // inner product turned into Euclidean distance by a norm-equalising column.
    float[][] equalized = equalize(vectors);
    float[][] queriesPlus = new float[queries.length][];
    for (int q = 0; q < queries.length; q++) {
      queriesPlus[q] = Arrays.copyOf(queries[q], d + 1);
    }
    if (!Boolean.getBoolean("ann.serverOnly")) {
      out.put("hnswlib_inner_product", hnswlib(model, vectors, queries, queryUsers, truth, false));
      out.put("hnswlib_euclidean", hnswlib(model, equalized, queriesPlus, queryUsers, truth, true));
      out.put("jvector_inner_product", jvector(model, vectors, queries, queryUsers, truth, false));
      out.put("jvector_euclidean", jvector(model, equalized, queriesPlus, queryUsers, truth, true));
    }

    // The server's search, seen items excluded, then after online updates have moved the vectors.
    // -Dann.beam / -Dann.extra measure another search beam and candidate margin than the defaults.
    AnnSearch.Settings defaults = AnnSearch.Settings.defaults();
    AnnSearch.Settings settings = defaults.withExactBelow(0).withSearch(
        Integer.getInteger("ann.beam", defaults.searchBeam()), Integer.getInteger("ann.extra", defaults.extraCandidates()));
    out.put("server_search_beam", settings.searchBeam());
    out.put("server_extra_candidates", settings.extraCandidates());
    AnnSearch search = new AnnSearch(settings);
    ServedModel served = new ServedModel(1, model);
    out.put("server_ann", serverSearch(search, served, queryUsers, "server AnnSearch, fresh", true));
    OnlineLearner online = (OnlineLearner) model;
    var log = data.log();
    for (int e : later) {
      online.learnOnline(log.user(e), log.item(e), log.value(e), log.timestamp(e));
    }
    out.put("online_updates", later.length);
    out.put("server_ann_after_updates_stale", serverSearch(search, served, queryUsers, "server, after online, stale", false));
    out.put("server_ann_after_updates_refreshed", serverSearch(search, served, queryUsers, "server, after online, refreshed", true));
    out.put("server_ann_after_updates_rebuilt", serverSearch(new AnnSearch(settings),
        served, queryUsers, "server, after online, rebuilt", true));
    if (json != null) {
      Files.createDirectories(json.toAbsolutePath().getParent());
      Files.writeString(json, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(out));
      System.out.println("wrote " + json);
    }
  }

  private static Map<String, Object> hnswlib(FactorModel model, float[][] vectors, float[][] queries, int[] users,
      int[][] truth, boolean euclidean) throws InterruptedException {
    int d = vectors[0].length;
    long b0 = System.nanoTime();
    HnswIndex<Integer, float[], Vec, Float> hnsw = HnswIndex
        .newBuilder(d, euclidean ? DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE : DistanceFunctions.FLOAT_INNER_PRODUCT,
            vectors.length)
        .withM(16).withEfConstruction(100).withEf(100).build();
    List<Vec> vecs = new ArrayList<>(vectors.length);
    for (int i = 0; i < vectors.length; i++) {
      vecs.add(new Vec(i, vectors[i]));
    }
    hnsw.addAll(vecs, Runtime.getRuntime().availableProcessors(), (done, max) -> {}, 10_000);
    double build = (System.nanoTime() - b0) / 1e9;
    int[][] found = new int[users.length][];
    double[] latency = time(users.length, q -> {
      List<SearchResult<Vec, Float>> hits = hnsw.findNearest(queries[q], CANDIDATES);
      int[] ids = new int[hits.size()];
      for (int h = 0; h < ids.length; h++) {
        ids[h] = hits.get(h).item().id();
      }
      found[q] = rescore(model, users[q], ids);
      return found[q];
    });
    return row("hnswlib 1.1.2 " + (euclidean ? "L2+col" : "IP"), build, recall(truth, found), latency);
  }

  private static Map<String, Object> jvector(FactorModel model, float[][] vectors, float[][] queries, int[] users,
      int[][] truth, boolean euclidean) throws IOException {
    int d = vectors[0].length;
    VectorSimilarityFunction metric = euclidean ? VectorSimilarityFunction.EUCLIDEAN : VectorSimilarityFunction.DOT_PRODUCT;
    VectorTypeSupport vts = VectorizationProvider.getInstance().getVectorTypeSupport();
    List<VectorFloat<?>> jv = new ArrayList<>(vectors.length);
    for (float[] v : vectors) {
      jv.add(vts.createFloatVector(v));
    }
    ListRandomAccessVectorValues ravv = new ListRandomAccessVectorValues(jv, d);
    long b0 = System.nanoTime();
    // The builder stays open while the graph is searched: closing it releases the graph.
    GraphIndexBuilder builder = new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(ravv, metric),
        d, 16, 100, 1.2f, 1.2f, true, true);
    ImmutableGraphIndex graph = builder.build(ravv);
    double build = (System.nanoTime() - b0) / 1e9;
    int[][] found = new int[users.length][];
    GraphSearcher searcher = new GraphSearcher(graph);
    double[] latency = time(users.length, q -> {
      var ssp = DefaultSearchScoreProvider.exact(vts.createFloatVector(queries[q]), metric, ravv);
      var result = searcher.search(ssp, CANDIDATES, 100, 0f, 0f, Bits.ALL);
      int[] ids = Arrays.stream(result.getNodes()).mapToInt(ns -> ns.node).toArray();
      found[q] = rescore(model, users[q], ids);
      return found[q];
    });
    searcher.close();
    builder.close();
    return row("jvector 4.0.2 " + (euclidean ? "L2+col" : "IP"), build, recall(truth, found), latency);
  }

  /** Appends {@code sqrt(M² - |x|²)} to every vector, {@code M} the largest norm. */
  static float[][] equalize(float[][] vectors) {
    double max = 0;
    for (float[] v : vectors) {
      max = Math.max(max, squaredNorm(v));
    }
    float[][] out = new float[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      out[i] = Arrays.copyOf(vectors[i], vectors[i].length + 1);
      out[i][vectors[i].length] = (float) Math.sqrt(Math.max(0, max - squaredNorm(vectors[i])));
    }
    return out;
  }

  static double squaredNorm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return s;
  }

  /** Builds the server's index, updates it after the online stream, and compares it with exact (seen excluded). */
  private static Map<String, Object> serverSearch(AnnSearch search, ServedModel served, int[] users, String label,
      boolean refresh) {
    FactorModel model = (FactorModel) served.model();
    long b0 = System.nanoTime();
    if (refresh) {
      search.refresh(served);
    }
    double refreshSeconds = (System.nanoTime() - b0) / 1e9;
    int[][] truth = new int[users.length][];
    for (int q = 0; q < users.length; q++) {
      truth[q] = model.recommend(users[q], K, true, null).ids();
    }
    int[][] found = new int[users.length][];
    double[] latency = time(users.length, q -> {
      Recommendations r = search.recommend(model, users[q], K, true, null);
      found[q] = r.ids();
      return found[q];
    });
    Map<String, Object> row = row(label, refreshSeconds, recall(truth, found), latency);
    row.put("by_history", byHistory(model, users, latency, truth, found));
    row.put("status", search.status());
    return row;
  }

  /**
   * Median latency and recall per history length: a factor model ranks a user's own items at the
   * top of their list, so the history is what a search that excludes them has to get past.
   */
  private static Map<String, Object> byHistory(FactorModel model, int[] users, double[] latency, int[][] truth,
      int[][] found) {
    int[] bounds = {1, 20, 50, 100, 200, Integer.MAX_VALUE};
    Map<String, Object> out = new LinkedHashMap<>();
    StringBuilder line = new StringBuilder("  by history length (p50 ms, recall, users):");
    for (int b = 0; b + 1 < bounds.length; b++) {
      List<Double> in = new ArrayList<>();
      List<int[]> inTruth = new ArrayList<>();
      List<int[]> inFound = new ArrayList<>();
      for (int q = 0; q < users.length; q++) {
        int seen = model.history().items(users[q]).length;
        if (seen >= bounds[b] && seen < bounds[b + 1]) {
          in.add(latency[q]);
          inTruth.add(truth[q]);
          inFound.add(found[q]);
        }
      }
      String name = bounds[b + 1] == Integer.MAX_VALUE ? bounds[b] + "+" : bounds[b] + "-" + (bounds[b + 1] - 1);
      double p50 = in.isEmpty() ? Double.NaN : percentile(in.stream().mapToDouble(Double::doubleValue).toArray(), 50);
      double recall = recall(inTruth.toArray(int[][]::new), inFound.toArray(int[][]::new));
      out.put(name, Map.of("users", in.size(), "p50_ms", p50, "recall_at_10", recall));
      line.append(String.format(Locale.ROOT, "  %s: %.3f %.3f (%d)", name, p50, recall, in.size()));
    }
    System.out.println(line);
    return out;
  }

  private static Map<String, Object> row(String name, double buildSeconds, double recall, double[] latency) {
    System.out.printf(Locale.ROOT, "%-32s %10.1f %9.4f %9.3f %9.3f%n",
        name, buildSeconds, recall, percentile(latency, 50), percentile(latency, 99));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("build_s", buildSeconds);
    m.put("recall_at_10", recall);
    m.put("p50_ms", percentile(latency, 50));
    m.put("p99_ms", percentile(latency, 99));
    return m;
  }

  private static int[] rescore(FactorModel model, int user, int[] candidates) {
    TopK top = new TopK(K);
    for (int item : candidates) {
      top.offer(item, model.score(user, item));
    }
    int[] ids = new int[top.size()];
    top.drainTo(ids, new float[top.size()]);
    return ids;
  }

  private static int[] queryUsers(FactorModel model, int count) {
    SplittableRandom random = new SplittableRandom(3);
    int[] users = new int[count];
    int found = 0;
    while (found < count) {
      int u = random.nextInt(model.userCount());
      if (model.history().items(u).length > 0) {
        users[found++] = u;
      }
    }
    return users;
  }

  /** Runs every query twice (the first pass warms the JIT) and returns the second pass's latencies in ms. */
  private static double[] time(int queries, IntFunction<int[]> query) {
    for (int q = 0; q < queries; q++) {
      query.apply(q);
    }
    double[] ms = new double[queries];
    for (int q = 0; q < queries; q++) {
      long t = System.nanoTime();
      query.apply(q);
      ms[q] = (System.nanoTime() - t) / 1e6;
    }
    return ms;
  }

  private static double recall(int[][] truth, int[][] found) {
    long hit = 0;
    long total = 0;
    for (int q = 0; q < truth.length; q++) {
      int[] sorted = found[q].clone();
      Arrays.sort(sorted);
      for (int item : truth[q]) {
        if (Arrays.binarySearch(sorted, item) >= 0) {
          hit++;
        }
      }
      total += truth[q].length;
    }
    return total == 0 ? 1 : (double) hit / total;
  }

  private static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int at = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, at))];
  }

  private record Vec(Integer id, float[] vector) implements Item<Integer, float[]> {
    @Override
    public int dimensions() {
      return vector.length;
    }
  }
}
