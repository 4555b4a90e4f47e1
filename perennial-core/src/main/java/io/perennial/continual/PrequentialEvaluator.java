package io.perennial.continual;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.model.Recommender;
import io.perennial.model.UserHistory;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Test-then-learn evaluation. The first {@code warmupFraction} of the stream trains the initial
 * model; then, for every later event whose user has been seen before, the live model's top-K
 * (excluding everything the user interacted with so far) is checked for the event's item before
 * the strategy learns the event.
 */
public final class PrequentialEvaluator {

  /**
   * @param k cut-off
   * @param warmupFraction share of the stream used to train the initial model
   * @param slices number of equal slices of the tested part, for the per-slice series
   * @param probeSize earlier interactions in the forgetting probe
   * @param seed seed of the probe's sampling
   */
  public record Settings(int k, double warmupFraction, int slices, int probeSize, long seed) {
    public Settings {
      if (k < 1 || !(warmupFraction > 0 && warmupFraction < 1) || slices < 1 || probeSize < 0) {
        throw new IllegalArgumentException("k >= 1, warm-up fraction in (0, 1), slices >= 1, probe >= 0");
      }
    }

    public static Settings defaults() {
      return new Settings(10, 0.5, 20, 2_000, 42L);
    }
  }

  private PrequentialEvaluator() {}

  /**
   * Runs one strategy over {@code stream} (a dataset already in stream order, see {@link
   * LogEventStream#inStreamOrder}).
   *
   * @param progress receives the fraction done (0..1) now and then
   */
  public static PrequentialResult run(Dataset stream, UpdateStrategy strategy, String algorithm,
      JsonNode modelConfig, StrategyConfig strategyConfig, Settings settings, Consumer<Double> progress) {
    return run(stream, strategy, algorithm, modelConfig, strategyConfig, settings, progress,
        java.util.function.UnaryOperator.identity());
  }

  /**
   * As the other, with every model the strategy trains built through {@code trainerWrap} (see
   * {@link StreamContext#withTrainer}): {@code simulate --pretrained} starts the stream from a
   * pretrained model this way.
   */
  public static PrequentialResult run(Dataset stream, UpdateStrategy strategy, String algorithm,
      JsonNode modelConfig, StrategyConfig strategyConfig, Settings settings, Consumer<Double> progress,
      java.util.function.UnaryOperator<io.perennial.model.Trainer> trainerWrap) {
    InteractionLog log = stream.log();
    int warmup = (int) Math.round(settings.warmupFraction() * log.size());
    StreamContext context = new StreamContext(algorithm, modelConfig, stream).withTrainer(trainerWrap);
    UserHistory seen = new UserHistory(16);
    LogEventStream events = new LogEventStream(log);
    while (events.position() < warmup) {
      StreamEvent e = events.next();
      context.record(e);
      seen.add(e.user(), e.item(), 1f);
    }
    strategy.start(context, strategyConfig);
    Probe probe = Probe.sample(context.seen(), settings.probeSize(), settings.seed());
    double probeBefore = probe.auc(strategy.live());

    int tail = log.size() - warmup;
    int slices = Math.min(settings.slices(), Math.max(1, tail));
    double[] sliceHits = new double[slices];
    double[] sliceNdcg = new double[slices];
    long[] sliceTested = new long[slices];
    double[] sliceCpu = new double[slices];
    long[] sliceEnd = new long[slices];
    double[] probeSeries = new double[slices];
    double hits = 0;
    double ndcg = 0;
    long tested = 0;
    int k = settings.k();
    int done = 0;
    while (events.hasNext()) {
      StreamEvent e = events.next();
      int slice = (int) Math.min(slices - 1, (long) done * slices / tail);
      int[] before = seen.items(e.user());
      if (before.length > 0) {
        Recommender model = strategy.live();
        int[] ids = model.recommend(e.user(), k, false, i -> Arrays.binarySearch(before, i) < 0).ids();
        int rank = -1;
        for (int r = 0; r < ids.length; r++) {
          if (ids[r] == e.item()) {
            rank = r;
            break;
          }
        }
        tested++;
        sliceTested[slice]++;
        if (rank >= 0) {
          double gain = 1 / (Math.log(rank + 2) / Math.log(2));
          hits++;
          ndcg += gain;
          sliceHits[slice]++;
          sliceNdcg[slice] += gain;
        }
      }
      context.record(e);
      seen.add(e.user(), e.item(), 1f);
      strategy.onEvent(e);
      done++;
      boolean sliceEnds = done == tail || (long) done * slices / tail != (long) (done - 1) * slices / tail;
      if (sliceEnds) {
        sliceCpu[slice] = strategy.stats().cpuSeconds();
        sliceEnd[slice] = e.timestamp();
        probeSeries[slice] = probe.auc(strategy.live());
        progress.accept((double) done / tail);
      }
    }
    for (int s = 0; s < slices; s++) {
      sliceHits[s] = sliceTested[s] == 0 ? 0 : sliceHits[s] / sliceTested[s];
      sliceNdcg[s] = sliceTested[s] == 0 ? 0 : sliceNdcg[s] / sliceTested[s];
    }
    double probeAfter = probeSeries[slices - 1];
    UpdateStats stats = strategy.stats();
    double hr = tested == 0 ? 0 : hits / tested;
    return new PrequentialResult(strategy.name(), hr, tested == 0 ? 0 : ndcg / tested, hr, tested,
        stats.cpuSeconds(), stats.wallSeconds(), stats.initialCpuSeconds(), stats.acceptedCount(), stats.rejectedCount(),
        stats.rejections(), sliceHits, sliceNdcg, sliceCpu, sliceEnd, probeBefore, probeSeries,
        probeBefore > 0 ? (probeBefore - probeAfter) / probeBefore : 0,
        strategy.tableSizes()[0], strategy.tableSizes()[1], strategy.lastOffset());
  }

  /**
   * The forgetting probe: a fixed sample of earlier (user, item) interactions, each paired with
   * random items; its AUC is how often the model still scores the remembered item above them.
   */
  static final class Probe {
    private final int[] users;
    private final int[] items;
    private final int[][] negatives;

    private Probe(int[] users, int[] items, int[][] negatives) {
      this.users = users;
      this.items = items;
      this.negatives = negatives;
    }

    static Probe sample(InteractionLog log, int size, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      int n = Math.min(size, log.size());
      int[] users = new int[n];
      int[] items = new int[n];
      int[][] negatives = new int[n][];
      int itemBound = log.itemBound();
      for (int p = 0; p < n; p++) {
        int e = random.nextInt(log.size());
        users[p] = log.user(e);
        items[p] = log.item(e);
        negatives[p] = random.ints(20, 0, itemBound).toArray();
      }
      return new Probe(users, items, negatives);
    }

    double auc(Recommender model) {
      long wins = 0;
      long pairs = 0;
      for (int p = 0; p < users.length; p++) {
        float positive = model.score(users[p], items[p]);
        for (int j : negatives[p]) {
          if (j == items[p]) {
            continue;
          }
          float negative = model.score(users[p], j);
          wins += positive > negative ? 2 : positive == negative ? 1 : 0;
          pairs += 2;
        }
      }
      return pairs == 0 ? 0 : (double) wins / pairs;
    }
  }
}
