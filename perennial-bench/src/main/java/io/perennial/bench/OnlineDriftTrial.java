package io.perennial.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.Interaction;
import io.perennial.data.InteractionLog;
import io.perennial.data.ReadReport;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.OnlineLearner;
import io.perennial.server.learn.ServedModel;
import io.perennial.server.search.AnnSearch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What online BPR does to the served search, offline and in one process: trains BPR on the first
 * events of the synthetic world {@code bench serve} uses, then, for each online setting
 * ({@code steps:replay[:rate]}), learns the next events one by one (prequential HR@10 on a sample,
 * tested before learning) and measures the server's graph search over the resulting vectors: recall
 * against exact scoring, time and nodes visited per search, at several candidate margins.
 *
 * <p>{@code OnlineDriftTrial [seeded events] [online events] [settings, e.g. 10:5,3:2,1:1:0.02]}
 */
public final class OnlineDriftTrial {

  private OnlineDriftTrial() {}

  public static void main(String[] args) {
    int seeded = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int online = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
    String[] settings = (args.length > 2 ? args[2] : "10:5,3:2,1:1").split(",");
    SyntheticGenerator stream = new SyntheticGenerator(SyntheticConfig.defaults().withEvents(Long.MAX_VALUE / 4)
        .withSeed(42).withSize(50_000, 100_000));
    InteractionLog start = new InteractionLog(seeded);
    for (int e = 0; e < seeded; e++) {
      start.add(stream.next());
    }
    List<Interaction> later = new ArrayList<>(online);
    for (int e = 0; e < online; e++) {
      later.add(stream.next());
    }
    long t0 = System.nanoTime();
    FactorModel base = (FactorModel) Algorithms.trainer("bpr", Algorithms.streamingDefaults("bpr"))
        .fit(dataset(start));
    System.out.printf(Locale.ROOT, "batch BPR on %,d events: %.0f s%n", seeded, (System.nanoTime() - t0) / 1e9);
    report("batch-trained", base, Double.NaN, Double.NaN);
    for (String setting : settings) {
      String[] parts = setting.split(":");
      ModelState state = base.state().deepCopy();
      ObjectNode config = (ObjectNode) state.config();
      config.put("onlineSteps", Integer.parseInt(parts[0]));
      config.put("onlineReplay", Integer.parseInt(parts[1]));
      if (parts.length > 2) {
        config.put("learningRate", Float.parseFloat(parts[2]));
      }
      FactorModel model = (FactorModel) Algorithms.restore(state);
      long hits = 0;
      long tested = 0;
      long learnNanos = 0;
      for (int e = 0; e < later.size(); e++) {
        Interaction event = later.get(e);
        if (e % 200 == 0 && event.user() < model.userCount() && model.history().items(event.user()).length > 0) {
          int[] top = model.recommend(event.user(), 10, true, null).ids();
          tested++;
          for (int item : top) {
            hits += item == event.item() ? 1 : 0;
          }
        }
        long t = System.nanoTime();
        ((OnlineLearner) model).learnOnline(event.user(), event.item(), event.value(), event.timestamp());
        learnNanos += System.nanoTime() - t;
      }
      report("online " + setting, model, (double) hits / tested, learnNanos / 1e3 / later.size());
    }
  }

  private static Dataset dataset(InteractionLog log) {
    int users = 0;
    int items = 0;
    for (int e = 0; e < log.size(); e++) {
      users = Math.max(users, log.user(e) + 1);
      items = Math.max(items, log.item(e) + 1);
    }
    IdIndex userIds = new IdIndex(users);
    for (int u = 0; u < users; u++) {
      userIds.getOrAdd(SyntheticGenerator.userId(u));
    }
    IdIndex itemIds = new IdIndex(items);
    for (int i = 0; i < items; i++) {
      itemIds.getOrAdd(SyntheticGenerator.itemId(i));
    }
    return new Dataset(userIds, itemIds, log, new ReadReport(log.size(), log.size(), Map.of(), 0, 0, List.of()));
  }

  private static void report(String label, FactorModel model, double hitRate, double microsPerEvent) {
    System.out.printf(Locale.ROOT, "%s: %,d users x %,d items; prequential HR@10 %.4f; learn %.1f µs/event%n",
        label, model.userCount(), model.itemCount(), hitRate, microsPerEvent);
    int queries = 2000;
    int[] users = CheckpointSearch.usersWithHistory(model, queries);
    int[][] truth = CheckpointSearch.exactTopTen(model, users);
    for (int extra : new int[] {30, 50, 90}) {
      AnnSearch.Settings d = AnnSearch.Settings.defaults();
      AnnSearch.Settings fixed = new AnnSearch.Settings(d.exactBelow(), d.degree(), d.beamWidth(), 1, extra,
          Duration.ofHours(1), 0, d.minRecall(), Duration.ofHours(1), 2, d.seed());
      try (AnnSearch search = new AnnSearch(fixed)) {
        search.refresh(new ServedModel(1, model));
        double ms = 0;
        long hits = 0;
        for (int pass = 0; pass < 2; pass++) {
          for (int q = 0; q < queries; q++) {
            long t = System.nanoTime();
            int[] got = search.recommend(model, users[q], 10, true, null).ids().clone();
            if (pass == 1) {
              ms += (System.nanoTime() - t) / 1e6;
              Arrays.sort(got);
              for (int item : truth[q]) {
                hits += Arrays.binarySearch(got, item) >= 0 ? 1 : 0;
              }
            }
          }
        }
        Object visited = search.status().get("mean_nodes_visited");
        System.out.printf(Locale.ROOT, "  extra %d: recall@10 %.4f, %.3f ms per search, %.0f nodes visited%n", extra,
            (double) hits / (queries * 10L), ms / queries, ((Number) visited).doubleValue());
      }
    }
  }
}
