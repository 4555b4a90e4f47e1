package io.perennial.model.sasrec;

import io.perennial.model.UserHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times SASRec training steps on synthetic sequences (every window full length, items uniform),
 * for {@code perennial bench deep}. Not a test: the figures depend on the machine and its load.
 */
public final class SasrecBenchmark {

  private SasrecBenchmark() {}

  /**
   * Step timings.
   *
   * @param medianMs median wall-clock milliseconds per step
   * @param minMs fastest step
   * @param steps timed steps
   */
  public record StepTimes(double medianMs, double minMs, int steps) {}

  /**
   * Times {@code steps} training steps of {@code batch} sequences of {@code length} items over a
   * table of {@code items}, after {@code warmup} untimed ones (the JIT's).
   */
  public static StepTimes trainingSteps(SasrecConfig config, int items, int batch, int length, int warmup,
      int steps) {
    if (items < 2 || batch < 1 || length < 2 || steps < 1 || warmup < 0) {
      throw new IllegalArgumentException("need items >= 2, batch >= 1, length >= 2, steps >= 1, warmup >= 0");
    }
    SasrecConfig cfg = config.withMaxLength(length);
    SasrecNetwork network = new SasrecNetwork(items, cfg.factors(), cfg.blocks(), cfg.heads(), length, cfg.dropout(),
        cfg.activation(), cfg.seed());
    SplittableRandom random = new SplittableRandom(cfg.seed());
    List<SasrecSteps.Window> windows = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      int[] seq = new int[length + 1];
      for (int t = 0; t < seq.length; t++) {
        seq[t] = random.nextInt(items);
      }
      windows.add(new SasrecSteps.Window(-1, seq, 0, length));
    }
    double[] times = new double[steps];
    try (SasrecSteps stepper = new SasrecSteps(network, cfg, batch, 0, new UserHistory(0), items)) {
      for (int s = 0; s < warmup + steps; s++) {
        long t0 = System.nanoTime();
        stepper.step(windows, 0, batch, s);
        if (s >= warmup) {
          times[s - warmup] = (System.nanoTime() - t0) / 1e6;
        }
      }
    }
    Arrays.sort(times);
    double median = steps % 2 == 1 ? times[steps / 2] : (times[steps / 2 - 1] + times[steps / 2]) / 2;
    return new StepTimes(median, times[0], steps);
  }

  /**
   * Per-call timings of the serving-side work on one model.
   *
   * @param onlineMsMedian median ms of one {@link SasrecModel#learnOnline} (the steps on the user's
   *     newest window plus the replayed windows, and the refreshed states)
   * @param onlineMsMin fastest of them
   * @param scoreMsMedian median ms of one user's scores over every item from the cached state
   * @param sessionScoreMsMedian median ms of an anonymous sequence's scores: the network over the
   *     sequence ({@link SasrecModel#foldInUser}), then every item
   * @param onlineCpuMsMedian median CPU ms of the calling thread per online event (all of the
   *     work runs on it): what a loaded machine's wall clock inflates
   * @param scoreCpuMsMedian median CPU ms per cached-state scoring
   * @param events timed online events (and as many score calls of each kind)
   */
  public record ServingTimes(double onlineMsMedian, double onlineMsMin, double scoreMsMedian,
      double sessionScoreMsMedian, double onlineCpuMsMedian, double scoreCpuMsMedian, int events) {}

  /**
   * Times online learning and scoring on a model over {@code items} items whose {@code users}
   * users have synthetic histories of {@code length} uniform items (untrained weights: the cost
   * does not depend on their values), after {@code warmup} untimed calls of each kind. Online
   * events follow {@code config} ({@code onlineSteps}, {@code onlineReplay}, loss and negatives)
   * as {@code simulate --strategy online} runs them.
   */
  public static ServingTimes serving(SasrecConfig config, int items, int users, int length, int warmup, int events) {
    if (items < 2 || users < 2 || length < 2 || events < 1 || warmup < 0) {
      throw new IllegalArgumentException("need items >= 2, users >= 2, length >= 2, events >= 1, warmup >= 0");
    }
    SasrecConfig cfg = config.withMaxLength(length);
    SasrecNetwork network = new SasrecNetwork(items, cfg.factors(), cfg.blocks(), cfg.heads(), length, cfg.dropout(),
        cfg.activation(), cfg.seed());
    SplittableRandom random = new SplittableRandom(cfg.seed());
    UserHistory history = new UserHistory(users);
    int[][] sequences = new int[users][length];
    for (int u = 0; u < users; u++) {
      for (int t = 0; t < length; t++) {
        sequences[u][t] = random.nextInt(items);
        history.add(u, sequences[u][t], 1f);
      }
    }
    float[] popularity = new float[items];
    SasrecModel model = new SasrecModel(cfg, network, history, popularity, users, items, sequences,
        new float[users * cfg.factors()], 0);
    model.refreshAllStates();
    double[] online = new double[events];
    double[] score = new double[events];
    double[] session = new double[events];
    double[] onlineCpu = new double[events];
    double[] scoreCpu = new double[events];
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    float[] out = new float[items];
    long timestamp = 1;
    for (int e = 0; e < warmup + events; e++) {
      int user = random.nextInt(users);
      int item = random.nextInt(items);
      long c0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      model.learnOnline(user, item, 1f, timestamp++);
      long t1 = System.nanoTime();
      long c1 = threads.getCurrentThreadCpuTime();
      model.scoreItems(random.nextInt(users), out);
      long t2 = System.nanoTime();
      long c2 = threads.getCurrentThreadCpuTime();
      model.scoreAll(model.foldInUser(sequences[random.nextInt(users)], null), out);
      long t3 = System.nanoTime();
      if (e >= warmup) {
        online[e - warmup] = (t1 - t0) / 1e6;
        score[e - warmup] = (t2 - t1) / 1e6;
        session[e - warmup] = (t3 - t2) / 1e6;
        onlineCpu[e - warmup] = (c1 - c0) / 1e6;
        scoreCpu[e - warmup] = (c2 - c1) / 1e6;
      }
    }
    Arrays.sort(online);
    return new ServingTimes(median(online), online[0], median(score), median(session), median(onlineCpu),
        median(scoreCpu), events);
  }

  private static double median(double[] v) {
    double[] sorted = v.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
