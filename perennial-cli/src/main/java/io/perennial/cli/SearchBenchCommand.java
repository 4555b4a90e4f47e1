package io.perennial.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.Recommender;
import io.perennial.model.UserHistory;
import io.perennial.model.quantized.QuantizedModel;
import io.perennial.server.learn.ServedModel;
import io.perennial.server.search.AnnSearch;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code perennial bench search}: the server's top-10 search over a catalogue of production size,
 * from one request thread. The vectors are generated with the structure trained factors have
 * (items around topic centres, norms spread by popularity), because training a model with a
 * million items takes longer than the search figures are worth; {@code --model FILE} measures a
 * real checkpoint instead.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
    description = {"Top-10 latency and recall@10 of the server's search over a large catalogue, one request thread: "
        + "exact float scoring, exact int8 scoring, the graph on full vectors and the graph walked by PQ codes "
        + "(--pq), each re-ranked by the model's score; index build time and bytes per item."})
final class SearchBenchCommand implements Callable<Integer> {

  @Option(names = "--items", defaultValue = "1000000", paramLabel = "N", description = "Catalogue size. Default: ${DEFAULT-VALUE}.")
  int items;

  @Option(names = "--users", defaultValue = "20000", paramLabel = "N", description = "Users. Default: ${DEFAULT-VALUE}.")
  int users;

  @Option(names = "--factors", defaultValue = "64", paramLabel = "N", description = "Dimensions. Default: ${DEFAULT-VALUE}.")
  int factors;

  @Option(names = "--queries", defaultValue = "1000", paramLabel = "N",
      description = "Query users (each measured after a warm-up pass). Default: ${DEFAULT-VALUE}.")
  int queries;

  @Option(names = "--pq", split = ",", defaultValue = "0,16", paramLabel = "M",
      description = "Graph variants: 0 = full vectors, M = walked by M-byte PQ codes. Default: ${DEFAULT-VALUE}.")
  List<Integer> pq;

  @Option(names = "--pq-rerank", defaultValue = "4", paramLabel = "R",
      description = "With PQ, R × the candidates are re-ranked by the exact distance. Default: ${DEFAULT-VALUE}.")
  int pqRerank;

  @Option(names = "--extra", defaultValue = "50", paramLabel = "N",
      description = "Candidates beyond k re-scored by the model (the server's margin). Default: ${DEFAULT-VALUE}.")
  int extra;

  @Option(names = "--beam", defaultValue = "1", paramLabel = "N", description = "Least search beam. Default: ${DEFAULT-VALUE}.")
  int beam;

  @Option(names = "--degree", defaultValue = "16", paramLabel = "M",
      description = "Graph degree (jvector's M; the server's default is 16). Default: ${DEFAULT-VALUE}.")
  int degree;

  @Option(names = "--build-beam", defaultValue = "100", paramLabel = "N",
      description = "Candidate list size while building (the server's default is 100). Default: ${DEFAULT-VALUE}.")
  int buildBeam;

  @Option(names = "--exact-queries", defaultValue = "200", paramLabel = "N",
      description = "Queries timed for the exact (float and int8) scans. Default: ${DEFAULT-VALUE}.")
  int exactQueries;

  @Option(names = "--model", paramLabel = "FILE", description = "A factor-model checkpoint to search instead of generated vectors.")
  Path modelFile;

  @Option(names = "--spectrum-decay", defaultValue = "1", paramLabel = "A",
      description = "Generated vectors: the variance of dimension d falls as (d+1)^-A. 1 matches BPR's table on "
          + "ml-latest-small (effective rank ~10); 0 is the flat world of the first figures. Default: ${DEFAULT-VALUE}.")
  double spectrumDecay;

  @Option(names = "--seed", defaultValue = "17", paramLabel = "S", description = "Seed of the vectors and queries. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
  Path json;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    if (items < 100 || users < 1 || factors < 2 || queries < 1 || pqRerank < 1 || extra < 0 || beam < 1
        || degree < 2 || buildBeam < 1) {
      throw new UserException("--items ≥ 100, --users ≥ 1, --factors ≥ 2, --queries ≥ 1, --pq-rerank ≥ 1, --beam ≥ 1, "
          + "--degree ≥ 2, --build-beam ≥ 1");
    }
    if (!(spectrumDecay >= 0 && spectrumDecay <= 4)) {
      throw new UserException("--spectrum-decay must be between 0 and 4, got " + spectrumDecay);
    }
    for (int m : pq) {
      if (m < 0 || m > factors + 2) {
        throw new UserException("--pq: subspaces must be between 0 and " + (factors + 2) + ", got " + m);
      }
    }
    FactorModel model;
    long t0 = System.nanoTime();
    if (modelFile != null) {
      Recommender r = Algorithms.restore(io.perennial.store.Checkpoint.read(modelFile).state());
      if (r instanceof QuantizedModel q) {
        // an int8 checkpoint (bench scale writes them): searched through its float tables
        r = q.fp32();
      }
      if (!(r instanceof FactorModel f)) {
        throw new UserException(modelFile + ": bench search needs a factor model (mf, bpr, ials), not " + r.type());
      }
      model = f;
    } else {
      model = generated(users, items, factors, spectrumDecay, seed);
    }
    out.printf(Locale.ROOT, "%s %,d users × %,d items × %d factors in %.1fs%n", modelFile == null ? "generated" : "read",
        model.userCount(), model.itemCount(), model.factors(), (System.nanoTime() - t0) / 1e9);
    int[] queryUsers = queryUsers(model, queries, seed);
    int cores = Runtime.getRuntime().availableProcessors();

    ObjectNode root = Json.object();
    root.set("machine", BenchCommand.machine());
    root.put("users", model.userCount());
    root.put("items", model.itemCount());
    root.put("factors", model.factors());
    root.put("queries", queryUsers.length);
    root.put("degree", degree);
    root.put("build_beam", buildBeam);
    root.put("search_beam", beam);
    root.put("extra_candidates", extra);
    root.put("vectors", modelFile == null ? "generated (topic centres, lognormal norms s.d. 0.2, spectrum (d+1)^-"
        + spectrumDecay + ")" : modelFile.toString());
    VectorStructure structure = VectorStructure.of(model, model.itemCount(), queryUsers, seed);
    out.println("structure: " + structure.describe());
    root.set("structure", structure.json());
    ArrayNode rows = root.putArray("searches");

    // exact float top-10: the truth every other search is measured against
    int[][] truth = new int[queryUsers.length][];
    for (int q = 0; q < queryUsers.length; q++) {
      truth[q] = model.recommend(queryUsers[q], 10, true, null).ids();
    }
    int timedExact = Math.min(exactQueries, queryUsers.length);
    double[] exactMs = time(queryUsers, timedExact, u -> model.recommend(u, 10, true, null).ids());
    report(out, rows, "exact fp32 scan", Double.NaN, 4L * model.factors(), exactMs, 1.0);

    QuantizedModel int8 = QuantizedModel.of(model);
    double[] int8Ms = time(queryUsers, timedExact, u -> int8.recommend(u, 10, true, null).ids());
    double int8Recall = recall(truth, queryUsers, timedExact, u -> int8.recommend(u, 10, true, null).ids());
    report(out, rows, "exact int8 scan", Double.NaN, model.factors() + 4L, int8Ms, int8Recall);

    for (int m : pq) {
      AnnSearch.Settings settings = AnnSearch.Settings.defaults().withExactBelow(0).withBuildThreads(cores)
          .withGraph(degree, buildBeam).withSearch(beam, extra).withProductQuantization(m, pqRerank);
      try (AnnSearch search = new AnnSearch(settings)) {
        long b0 = System.nanoTime();
        search.refresh(new ServedModel(1, model));
        double build = (System.nanoTime() - b0) / 1e9;
        String name = m == 0 ? "graph, full vectors" : "graph, PQ " + m + " codes (×" + pqRerank + " exact re-rank)";
        // warm-up pass, then the measured one
        time(queryUsers, queryUsers.length, u -> search.recommend(model, u, 10, true, null).ids());
        double[] ms = time(queryUsers, queryUsers.length, u -> search.recommend(model, u, 10, true, null).ids());
        double r = recall(truth, queryUsers, queryUsers.length, u -> search.recommend(model, u, 10, true, null).ids());
        // the graph's own vectors [q, b, norm column] in floats, plus the codes when PQ walks it
        long perItem = 4L * (model.factors() + 2) + m;
        report(out, rows, name, build, perItem, ms, r);
      }
    }
    if (json != null) {
      Json.write(json, root);
      out.println("wrote " + json);
    }
    return 0;
  }

  private interface Query {
    int[] top(int user);
  }

  private static double[] time(int[] users, int count, Query query) {
    double[] ms = new double[count];
    for (int q = 0; q < count; q++) {
      long t = System.nanoTime();
      query.top(users[q]);
      ms[q] = (System.nanoTime() - t) / 1e6;
    }
    Arrays.sort(ms);
    return ms;
  }

  private static double recall(int[][] truth, int[] users, int count, Query query) {
    long hits = 0;
    long total = 0;
    for (int q = 0; q < count; q++) {
      int[] got = query.top(users[q]).clone();
      Arrays.sort(got);
      for (int item : truth[q]) {
        hits += Arrays.binarySearch(got, item) >= 0 ? 1 : 0;
      }
      total += truth[q].length;
    }
    return total == 0 ? 1 : (double) hits / total;
  }

  private static double percentile(double[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static void report(PrintStream out, ArrayNode rows, String name, double buildSeconds, long bytesPerItem,
      double[] sortedMs, double recall) {
    double p50 = percentile(sortedMs, 0.50);
    double p99 = percentile(sortedMs, 0.99);
    out.printf(Locale.ROOT, "%-44s build %8s  recall@10 %.4f  p50 %7.3f ms  p99 %7.3f ms  %d B/item%n", name,
        Double.isNaN(buildSeconds) ? "-" : String.format(Locale.ROOT, "%.1fs", buildSeconds), recall, p50, p99,
        bytesPerItem);
    ObjectNode row = rows.addObject();
    row.put("search", name);
    if (Double.isNaN(buildSeconds)) {
      row.putNull("build_s");
    } else {
      row.put("build_s", buildSeconds);
    }
    row.put("recall_at_10", recall);
    row.put("p50_ms", p50);
    row.put("p99_ms", p99);
    row.put("max_ms", sortedMs[sortedMs.length - 1]);
    row.put("vector_bytes_per_item", bytesPerItem);
  }

  private static int[] queryUsers(FactorModel model, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed + 1);
    List<Integer> withHistory = new ArrayList<>();
    for (int u = 0; u < model.userCount(); u++) {
      if (model.history().items(u).length > 0) {
        withHistory.add(u);
      }
    }
    if (withHistory.isEmpty()) {
      throw new UserException("no user of the model has a history to query with");
    }
    int[] users = new int[count];
    for (int q = 0; q < count; q++) {
      users[q] = withHistory.get(random.nextInt(withHistory.size()));
    }
    return users;
  }

  /**
   * A BPR-shaped model: items around one of {@code √items} topic centres with lognormal norms (the
   * spread of BPR's item norms on ml-latest-small; iALS's spread over two orders of magnitude is
   * what the graph cannot serve, see {@link AnnSearch}), users near a topic, each with 20 items of their
   * topic as history (which the search excludes), small item biases. Dimension {@code d} of every
   * vector is scaled by {@code (d+1)^(-decay/2)} (the whole by a constant that keeps the mean squared
   * norm): trained tables put most of their variance in a few directions (BPR on ml-latest-small:
   * 27 % in the first, 72 % in the first 16 of 64, effective rank 10.5, which decay 1 reproduces),
   * and a table spread evenly over 64 dimensions (decay 0) is much harder for a graph than any trained one.
   */
  static FactorModel generated(int users, int items, int factors, double decay, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int topics = Math.max(8, (int) Math.sqrt(items));
    double unit = 1 / Math.sqrt(factors);
    double[] axis = new double[factors];
    double mass = 0;
    for (int d = 0; d < factors; d++) {
      axis[d] = Math.pow(d + 1, -decay);
      mass += axis[d];
    }
    for (int d = 0; d < factors; d++) {
      axis[d] = Math.sqrt(axis[d] * factors / mass);
    }
    float[] centres = gaussian(random, topics * factors, unit);
    int[] topicOf = new int[items];
    float[] itemFactors = new float[items * factors];
    float[] itemBias = new float[items];
    float[] popularity = new float[items];
    for (int i = 0; i < items; i++) {
      int t = random.nextInt(topics);
      topicOf[i] = t;
      // BPR's spread on ml-latest-small: log-norm s.d. 0.19, largest norm 1.5× the median
      double norm = Math.exp(0.2 * Math.max(-2.5, Math.min(2.5, random.nextGaussian())));
      for (int d = 0; d < factors; d++) {
        itemFactors[i * factors + d] =
            (float) (axis[d] * norm * (centres[t * factors + d] + 0.7 * unit * random.nextGaussian()));
      }
      itemBias[i] = (float) (0.1 * random.nextGaussian());
      popularity[i] = (float) norm;
    }
    int[][] byTopic = new int[topics][];
    int[] sizes = new int[topics];
    for (int t : topicOf) {
      sizes[t]++;
    }
    for (int t = 0; t < topics; t++) {
      byTopic[t] = new int[sizes[t]];
      sizes[t] = 0;
    }
    for (int i = 0; i < items; i++) {
      byTopic[topicOf[i]][sizes[topicOf[i]]++] = i;
    }
    float[] userFactors = new float[users * factors];
    UserHistory history = new UserHistory(users);
    for (int u = 0; u < users; u++) {
      int t = random.nextInt(topics);
      int second = random.nextInt(topics);
      for (int d = 0; d < factors; d++) {
        userFactors[u * factors + d] = (float) (axis[d] * (centres[t * factors + d] + 0.5 * centres[second * factors + d]
            + 0.5 * unit * random.nextGaussian()));
      }
      for (int n = 0; n < 20 && byTopic[t].length > 0; n++) {
        history.add(u, byTopic[t][random.nextInt(byTopic[t].length)], 1f);
      }
    }
    ModelState state = new ModelState("bpr", Algorithms.trainer("bpr",
        Json.object().put("factors", factors)).configJson());
    state.put("user_factors", userFactors).put("item_factors", itemFactors).put("item_bias", itemBias)
        .put("popularity", popularity).put("global_bias", new float[] {0}).put("shape", new int[] {users, items, factors});
    history.saveTo(state, "history");
    return (FactorModel) Algorithms.restore(state);
  }

  private static float[] gaussian(SplittableRandom random, int n, double scale) {
    float[] v = new float[n];
    for (int p = 0; p < n; p++) {
      v[p] = (float) (scale * random.nextGaussian());
    }
    return v;
  }
}
