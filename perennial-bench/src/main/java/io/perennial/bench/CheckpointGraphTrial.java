package io.perennial.bench;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.perennial.kernel.TopK;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.store.Checkpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;

/**
 * Graph search over a checkpoint written by a running server: traversal on exact vectors with
 * several candidate counts, and on jvector's product-quantised codes (16 subspaces by default)
 * re-ranked exactly. {@code CheckpointGraphTrial CHECKPOINT [subspaces]}; first pass warms, second is timed.
 */
public final class CheckpointGraphTrial {
  private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();
  private static final VectorSimilarityFunction L2 = VectorSimilarityFunction.EUCLIDEAN;

  public static void main(String[] args) throws Exception {
    FactorModel model = (FactorModel) Algorithms.restore(Checkpoint.read(Path.of(args[0])).state());
    int subspaces = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int f = model.factors();
    int d = f + 2;
    int n = model.itemCount();
    float[] q = model.itemFactors();
    float[][] raw = new float[n][f + 1];
    for (int i = 0; i < n; i++) {
      System.arraycopy(q, i * f, raw[i], 0, f);
      raw[i][f] = model.itemBias()[i];
    }
    float[][] rows = AnnComparison.equalize(raw);
    double m = Math.sqrt(AnnComparison.squaredNorm(rows[0]));
    List<VectorFloat<?>> list = new ArrayList<>();
    for (float[] r : rows) {
      list.add(VTS.createFloatVector(r));
    }
    var ravv = new ListRandomAccessVectorValues(list, d);
    ForkJoinPool pool = new ForkJoinPool(2);
    long t0 = System.nanoTime();
    GraphIndexBuilder builder = new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(ravv, L2), d, 16, 100,
        1.2f, 1.2f, true, true, pool, pool);
    ImmutableGraphIndex index = builder.build(ravv);
    System.out.printf(Locale.ROOT, "graph %.1f s%n", (System.nanoTime() - t0) / 1e9);
    t0 = System.nanoTime();
    ProductQuantization pq = ProductQuantization.compute(ravv, subspaces, 256, true);
    PQVectors pqv = pq.encodeAll(ravv, pool);
    System.out.printf(Locale.ROOT, "pq %d subspaces %.1f s%n", subspaces, (System.nanoTime() - t0) / 1e9);
    int queries = 2000;
    int[] users = CheckpointSearch.usersWithHistory(model, queries);
    int[][] truth = CheckpointSearch.exactTopTen(model, users);
    GraphSearcher searcher = new GraphSearcher(index);
    // (label, candidates asked for, candidates kept before the exact re-rank, PQ traversal)
    Object[][] trials = {
        {"exact vectors, 60 candidates, beam 64 (the server's setting)", 60, 64, false},
        {"exact vectors, 20 candidates, beam 20", 20, 20, false},
        {"exact vectors, 30 candidates, beam 30", 30, 30, false},
        {"exact vectors, 40 candidates, beam 40", 40, 40, false},
        {"PQ codes, 60 candidates, 64 re-ranked", 60, 64, true},
        {"PQ codes, 60 candidates, 120 re-ranked", 60, 120, true},
        {"PQ codes, 60 candidates, 200 re-ranked", 60, 200, true},
    };
    for (Object[] trial : trials) {
      int want = (Integer) trial[1];
      int beam = (Integer) trial[2];
      boolean compressed = (Boolean) trial[3];
      for (int pass = 0; pass < 2; pass++) {
        long hits = 0;
        long visited = 0;
        long time = 0;
        for (int x = 0; x < queries; x++) {
          int user = users[x];
          int[] seen = model.history().items(user);
          float[] query = new float[d];
          System.arraycopy(model.userFactors(), user * f, query, 0, f);
          query[f] = 1;
          double s = 0;
          for (int j = 0; j <= f; j++) {
            s += query[j] * query[j];
          }
          for (int j = 0; j <= f; j++) {
            query[j] *= (float) (m / Math.sqrt(s));
          }
          VectorFloat<?> qv = VTS.createFloatVector(query);
          Bits accept = i -> Arrays.binarySearch(seen, i) < 0;
          long t = System.nanoTime();
          SearchScoreProvider ssp = compressed
              ? new DefaultSearchScoreProvider(pqv.precomputedScoreFunctionFor(qv, L2), ravv.rerankerFor(qv, L2))
              : DefaultSearchScoreProvider.exact(qv, L2, ravv);
          SearchResult r = searcher.search(ssp, want, beam, 0f, 0f, accept);
          TopK top = new TopK(10);
          for (SearchResult.NodeScore ns : r.getNodes()) {
            top.offer(ns.node, model.score(user, ns.node));
          }
          int[] ids = new int[top.size()];
          top.drainTo(ids, new float[top.size()]);
          time += System.nanoTime() - t;
          visited += r.getVisitedCount();
          Arrays.sort(ids);
          for (int item : truth[x]) {
            hits += Arrays.binarySearch(ids, item) >= 0 ? 1 : 0;
          }
        }
        if (pass == 1) {
          System.out.printf(Locale.ROOT, "%s: recall@10 %.4f, mean %.3f ms, nodes visited %.0f%n", trial[0],
              (double) hits / (queries * 10), time / 1e6 / queries, (double) visited / queries);
        }
      }
    }
    pool.shutdown();
  }
}
