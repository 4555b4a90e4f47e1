package io.perennial.server.learn;

import java.util.Arrays;

/** The most recent delays (milliseconds) from an event's commit to its being live in the model. */
public final class DelayRecorder {

  private final long[] ring;
  private long count;

  public DelayRecorder(int capacity) {
    ring = new long[capacity];
  }

  public synchronized void record(long millis) {
    ring[(int) (count++ % ring.length)] = millis;
  }

  /** The recorded delays, unordered. */
  public synchronized long[] snapshot() {
    return Arrays.copyOf(ring, (int) Math.min(count, ring.length));
  }

  /** Forgets what was recorded (a benchmark's warm-up). */
  public synchronized void reset() {
    count = 0;
  }
}
