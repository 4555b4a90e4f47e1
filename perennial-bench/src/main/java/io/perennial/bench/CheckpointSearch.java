package io.perennial.bench;

import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.server.learn.ServedModel;
import io.perennial.server.search.AnnSearch;
import io.perennial.store.Checkpoint;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The server's search over a checkpoint written by a running server (a model that learned online
 * for a while): a graph built over its current vectors, then recall against exact scoring and
 * latency by the user's history length. {@code CheckpointSearch FILE [queries]}.
 */
public final class CheckpointSearch {

  private CheckpointSearch() {}

  /** {@code count} users, drawn with a fixed seed among those with some history: the trials' queries. */
  static int[] usersWithHistory(FactorModel model, int count) {
    SplittableRandom random = new SplittableRandom(9);
    int[] users = new int[count];
    for (int q = 0; q < count; q++) {
      do {
        users[q] = random.nextInt(model.userCount());
      } while (model.history().items(users[q]).length == 0);
    }
    return users;
  }

  /** Each user's exact top 10, seen items excluded: what recall is measured against. */
  static int[][] exactTopTen(FactorModel model, int[] users) {
    int[][] truth = new int[users.length][];
    for (int q = 0; q < users.length; q++) {
      truth[q] = model.recommend(users[q], 10, true, null).ids();
    }
    return truth;
  }

  public static void main(String[] args) {
    FactorModel model = (FactorModel) Algorithms.restore(Checkpoint.read(Path.of(args[0])).state());
    int queries = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
    try (AnnSearch search = new AnnSearch(AnnSearch.Settings.defaults())) {
      long t0 = System.nanoTime();
      search.refresh(new ServedModel(1, model));
      System.out.printf(Locale.ROOT, "%d users x %d items, graph built in %.1f s%n", model.userCount(),
          model.itemCount(), (System.nanoTime() - t0) / 1e9);
      int[] users = usersWithHistory(model, queries);
      int[] bounds = {1, 50, 100, 200, 400, Integer.MAX_VALUE};
      for (int pass = 0; pass < 2; pass++) {
        double[] ms = new double[bounds.length];
        int[] n = new int[bounds.length];
        long[] hits = new long[bounds.length];
        long[] total = new long[bounds.length];
        for (int user : users) {
          int b = 0;
          while (model.history().items(user).length >= bounds[b + 1]) {
            b++;
          }
          long t = System.nanoTime();
          int[] got = search.recommend(model, user, 10, true, null).ids().clone();
          ms[b] += (System.nanoTime() - t) / 1e6;
          n[b]++;
          if (pass == 1) {
            int[] exact = model.recommend(user, 10, true, null).ids();
            Arrays.sort(got);
            for (int item : exact) {
              hits[b] += Arrays.binarySearch(got, item) >= 0 ? 1 : 0;
            }
            total[b] += exact.length;
          }
        }
        if (pass == 1) {
          for (int b = 0; b + 1 < bounds.length; b++) {
            System.out.printf(Locale.ROOT, "history %d-%d: %d users, mean %.3f ms, recall@10 %.4f%n", bounds[b],
                bounds[b + 1] - 1, n[b], n[b] == 0 ? Double.NaN : ms[b] / n[b],
                total[b] == 0 ? Double.NaN : (double) hits[b] / total[b]);
          }
          System.out.println(search.status());
        }
      }
    }
  }
}
