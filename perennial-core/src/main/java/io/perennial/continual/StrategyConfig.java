package io.perennial.continual;

/**
 * Knobs of the update strategies. Event counts are in stream events.
 *
 * @param updateEvery events between the retrains of {@code full}
 * @param fineTuneEvery events between the fine-tunes of {@code incremental}
 * @param window {@code full} retrains on the last this-many events (0 = all seen so far)
 * @param replayCapacity size of the replay reservoir ({@code incremental})
 * @param replayRatio replayed past events per new event in an incremental update
 * @param retrainEvery events between the full retrains of {@code hybrid}
 * @param retrainLatency events that arrive while a {@code hybrid} retrain runs; they are replayed
 *     onto the retrained model before it goes live
 * @param gateWindow events over which the gate compares the learning model with the last accepted
 *     one (both scored on each event before it is learned); adapted as windows pass or fail
 * @param gateTolerance a candidate may be worse than the live model by this much HR@K and still pass
 * @param stability forgetting protection for {@code incremental} fine-tunes (anchor, Fisher, distillation)
 * @param admitAfter occurrences before an id is learned by {@code online}/{@code hybrid} (1 = at once)
 * @param evictAfterSeconds stream time after which unseen ids are evicted (0 = never)
 * @param maxNorm divergence guard ({@link io.perennial.model.ModelHealth}): a row with a larger norm
 *     (or a non-finite value) is rejected
 * @param seed seed of replay sampling
 * @param difficultyReplay {@code incremental} replays past events in proportion to the live model's
 *     BPR loss on each (its margin over 8 sampled items, {@link
 *     io.perennial.model.curriculum.DifficultyScorer#rankingDifficulty}) instead of uniformly: what the
 *     model now gets wrong is replayed more
 */
public record StrategyConfig(
    int updateEvery,
    int fineTuneEvery,
    int window,
    int replayCapacity,
    double replayRatio,
    int retrainEvery,
    int retrainLatency,
    int gateWindow,
    double gateTolerance,
    io.perennial.model.Stability stability,
    int admitAfter,
    long evictAfterSeconds,
    float maxNorm,
    long seed,
    boolean difficultyReplay) {

  public StrategyConfig {
    if (updateEvery < 1 || fineTuneEvery < 1 || retrainEvery < 1 || gateWindow < 1) {
      throw new IllegalArgumentException("event intervals must be >= 1");
    }
    if (window < 0 || replayCapacity < 1 || replayRatio < 0 || retrainLatency < 0 || gateTolerance < 0
        || !(maxNorm > 0) || stability == null || admitAfter < 1 || evictAfterSeconds < 0) {
      throw new IllegalArgumentException("window, latency, ratio and tolerance must be >= 0, capacity >= 1, maxNorm > 0");
    }
  }

  /** The same settings with other replay and forgetting protection. */
  public StrategyConfig withProtection(double ratio, io.perennial.model.Stability s) {
    return new StrategyConfig(updateEvery, fineTuneEvery, window, replayCapacity, ratio, retrainEvery,
        retrainLatency, gateWindow, gateTolerance, s, admitAfter, evictAfterSeconds, maxNorm, seed, difficultyReplay);
  }

  /** The same settings with replay weighted by the live model's difficulty (or uniform). */
  public StrategyConfig withDifficultyReplay(boolean weighted) {
    return new StrategyConfig(updateEvery, fineTuneEvery, window, replayCapacity, replayRatio, retrainEvery,
        retrainLatency, gateWindow, gateTolerance, stability, admitAfter, evictAfterSeconds, maxNorm, seed, weighted);
  }

  /** The same settings with Monolith-style admission and eviction. */
  public StrategyConfig withLifecycle(int admit, long evictSeconds) {
    return new StrategyConfig(updateEvery, fineTuneEvery, window, replayCapacity, replayRatio, retrainEvery,
        retrainLatency, gateWindow, gateTolerance, stability, admit, evictSeconds, maxNorm, seed, difficultyReplay);
  }

  /**
   * Intervals for a stream of {@code events} events: full retrains every 10 %, fine-tunes every
   * 1 %, hybrid retrains every 25 %, gate windows of 2 %.
   */
  public static StrategyConfig forStream(long events) {
    int percent = (int) Math.max(1, events / 100);
    return new StrategyConfig(10 * percent, percent, 0, 20_000, 1.0, 25 * percent, 0,
        Math.max(200, 2 * percent), 0.02, io.perennial.model.Stability.none(), 1, 0,
        io.perennial.model.ModelHealth.DEFAULT_MAX_NORM, 42L, false);
  }
}
