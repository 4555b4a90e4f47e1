package io.perennial.model.neumf;

import io.perennial.model.UserHistory;
import java.util.SplittableRandom;

/** Mini-batches for point-wise BCE: each positive (label 1) followed by its sampled negatives (label 0). */
final class NegativeBatches {

  /** Redraws of a negative that hit the user's history before one is accepted anyway. */
  private static final int MAX_TRIES = 16;

  private NegativeBatches() {}

  /**
   * Fills workspace rows with the positives {@code order[from..from+count)} (indices into {@code
   * users} and {@code items}), each followed by {@code k} negatives.
   *
   * @return the rows filled, {@code count · (1 + k)}
   */
  static int fill(NeumfNetwork.Workspace ws, int[] users, int[] items, int[] order, int from, int count, int k,
      UserHistory history, int itemCount, SplittableRandom rng) {
    int r = 0;
    for (int p = from; p < from + count; p++) {
      int e = order == null ? p : order[p];
      r = addPositive(ws, r, users[e], items[e], k, history, itemCount, rng);
    }
    return r;
  }

  /** Writes (user, item) with label 1 at row {@code r} and {@code k} negatives after it; returns the next row. */
  static int addPositive(NeumfNetwork.Workspace ws, int r, int user, int item, int k, UserHistory history,
      int itemCount, SplittableRandom rng) {
    ws.users[r] = user;
    ws.items[r] = item;
    ws.labels[r++] = 1f;
    for (int j = 0; j < k; j++) {
      ws.users[r] = user;
      ws.items[r] = negative(history.items(user), item, itemCount, rng);
      ws.labels[r++] = 0f;
    }
    return r;
  }

  /**
   * A uniform item outside {@code seen} (the user's sorted items; after {@link #MAX_TRIES} misses,
   * any item but the positive).
   */
  static int negative(int[] seen, int positive, int itemCount, SplittableRandom rng) {
    if (itemCount < 2) {
      return positive;
    }
    int j;
    int tries = 0;
    do {
      j = rng.nextInt(itemCount);
    } while ((j == positive || java.util.Arrays.binarySearch(seen, j) >= 0) && ++tries < MAX_TRIES);
    while (j == positive) {
      j = rng.nextInt(itemCount);
    }
    return j;
  }

  /** Fisher–Yates shuffle of {@code 0..n)} into {@code order}. */
  static void shuffle(int[] order, SplittableRandom rng) {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
