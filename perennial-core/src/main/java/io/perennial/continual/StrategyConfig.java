package io.perennial.continual;

/**
 * Knobs of the update strategies. Event counts are in stream events.
 *
 * @param updateEvery events between updates for {@code full} and {@code incremental}
 * @param window {@code full} retrains on the last this-many events (0 = all seen so far)
 * @param replayCapacity size of the replay reservoir ({@code incremental})
 * @param replayRatio replayed past events per new event in an incremental update
 * @param retrainEvery events between the full retrains of {@code hybrid}
 * @param retrainLatency events that arrive while a {@code hybrid} retrain runs; they are replayed
 *     onto the retrained model before it goes live
 * @param gateCheckEvery events between gate decisions (adapted as updates pass or fail)
 * @param gateHoldout events a candidate is scored on before it may go live
 * @param gateTolerance a candidate may be worse than the live model by this much HR@K and still pass
 * @param maxNorm divergence guard: a row with a larger norm (or a non-finite value) is rejected
 * @param snapshotEvery events between the online strategy's restore points
 * @param seed seed of replay sampling
 */
public record StrategyConfig(
    int updateEvery,
    int window,
    int replayCapacity,
    double replayRatio,
    int retrainEvery,
    int retrainLatency,
    int gateCheckEvery,
    int gateHoldout,
    double gateTolerance,
    float maxNorm,
    int snapshotEvery,
    long seed) {

  public StrategyConfig {
    if (updateEvery < 1 || retrainEvery < 1 || gateCheckEvery < 1 || gateHoldout < 1 || snapshotEvery < 1) {
      throw new IllegalArgumentException("event intervals must be >= 1");
    }
    if (window < 0 || replayCapacity < 1 || replayRatio < 0 || retrainLatency < 0 || gateTolerance < 0
        || !(maxNorm > 0)) {
      throw new IllegalArgumentException("window, latency, ratio and tolerance must be >= 0, capacity >= 1, maxNorm > 0");
    }
  }

  /** Intervals as fractions of a stream of {@code events} events: updates every 10 %. */
  public static StrategyConfig forStream(long events) {
    int tenth = (int) Math.max(1, events / 10);
    return new StrategyConfig(tenth, 0, 20_000, 1.0, tenth, 0, Math.max(100, tenth / 5),
        Math.max(50, tenth / 10), 0.01, 1e3f, 5_000, 42L);
  }
}
