package io.perennial.continual;

import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import java.util.SplittableRandom;

/**
 * A bounded uniform sample of every event offered so far (reservoir sampling, Vitter's algorithm
 * R), mixed into updates so a fine-tune does not forget what came before.
 */
public final class ReplayBuffer {

  private final int capacity;
  private final SplittableRandom random;
  private final int[] users;
  private final int[] items;
  private final float[] values;
  private final long[] timestamps;
  private int size;
  private long offered;

  public ReplayBuffer(int capacity, long seed) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1");
    }
    this.capacity = capacity;
    this.random = new SplittableRandom(seed);
    users = new int[capacity];
    items = new int[capacity];
    values = new float[capacity];
    timestamps = new long[capacity];
  }

  /** Offers one event; it is kept with probability capacity / events offered so far. */
  public void offer(StreamEvent e) {
    offered++;
    int slot;
    if (size < capacity) {
      slot = size++;
    } else {
      long r = random.nextLong(offered);
      if (r >= capacity) {
        return;
      }
      slot = (int) r;
    }
    users[slot] = e.user();
    items[slot] = e.item();
    values[slot] = e.value();
    timestamps[slot] = e.timestamp();
  }

  /** Offers every event of a log, in order. */
  public void offerAll(InteractionLog log) {
    for (int e = 0; e < log.size(); e++) {
      offer(new StreamEvent(e, log.user(e), log.item(e), log.value(e), log.timestamp(e), log.type(e)));
    }
  }

  public int size() {
    return size;
  }

  public long offered() {
    return offered;
  }

  public int capacity() {
    return capacity;
  }

  /** Appends {@code n} events drawn uniformly (with replacement) from the buffer to {@code out}. */
  public void sampleInto(InteractionLog out, int n) {
    for (int k = 0; k < n && size > 0; k++) {
      int s = random.nextInt(size);
      out.add(users[s], items[s], values[s], timestamps[s], InteractionType.VIEW);
    }
  }

  /**
   * Appends {@code n} events drawn with replacement in proportion to {@code difficulty(user, item)}
   * (negative or non-finite ones count as 0; all zero falls back to uniform): a curriculum's "replay the hard ones more".
   */
  public void sampleWeightedInto(InteractionLog out, int n,
      io.perennial.model.curriculum.DifficultyScorer.PairScore difficulty) {
    if (size == 0 || n <= 0) {
      return;
    }
    double[] cumulative = new double[size];
    double total = 0;
    for (int s = 0; s < size; s++) {
      double w = difficulty.score(users[s], items[s]);
      // a negative or non-finite difficulty (a model that cannot score the pair) weighs nothing
      total += w > 0 && Double.isFinite(w) ? w : 0;
      cumulative[s] = total;
    }
    if (!(total > 0)) {
      sampleInto(out, n);
      return;
    }
    for (int k = 0; k < n; k++) {
      double r = random.nextDouble() * total;
      int s = java.util.Arrays.binarySearch(cumulative, r);
      s = s >= 0 ? s + 1 : -s - 1;
      s = Math.min(s, size - 1);
      out.add(users[s], items[s], values[s], timestamps[s], InteractionType.VIEW);
    }
  }

  /** Timestamp of the slot, for tests of uniformity. */
  long timestampAt(int slot) {
    return timestamps[slot];
  }
}
