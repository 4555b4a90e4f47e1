package io.perennial.server.learn;

import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * Delays (milliseconds) from an event's commit to its being live in the served model, since the
 * learner first caught up after starting. Kept whole in a histogram rather than as recent samples, so that a soak reports
 * every event it ingested, not just the last few seconds.
 */
public final class DelayRecorder {

  private final Histogram histogram = new Histogram(3);
  private volatile LongConsumer listener = millis -> {};

  public void record(long millis) {
    long delay = Math.max(0, millis);
    synchronized (this) {
      histogram.recordValue(delay);
    }
    listener.accept(delay);
  }

  /** Also hands every delay to {@code listener} (the metrics registry's timer). */
  public void onRecord(LongConsumer listener) {
    this.listener = listener;
  }

  /** The distribution so far. */
  public synchronized Visibility summary() {
    long n = histogram.getTotalCount();
    if (n == 0) {
      return new Visibility(0, 0, 0, 0, 0, 0, Double.NaN);
    }
    long within = 0;
    for (var v : histogram.recordedValues()) {
      if (v.getValueIteratedTo() <= 1000) {
        within += v.getCountAtValueIteratedTo();
      }
    }
    return new Visibility(n, histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
        histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue(),
        (double) within / n);
  }

  /**
   * Commit-to-visible delays in milliseconds.
   *
   * @param events events measured
   * @param shareWithinOneSecond share of them live within 1 s of their commit (NaN when none)
   */
  public record Visibility(long events, long p50, long p90, long p99, long p999, long max,
      double shareWithinOneSecond) {}
}
