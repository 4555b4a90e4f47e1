package io.perennial.model.bpr;

import io.perennial.model.UserHistory;

/**
 * The (user, item) pairs of a history as an open-addressing hash set, for the negative check of
 * every BPR draw: one probe into one flat array (about one cache miss) where a binary search over
 * a heavy user's sorted items takes a dozen dependent loads. Built once per training; read-only, so
 * Hogwild workers share it.
 */
final class LikedPairs {

  private static final long EMPTY = -1L;
  private final long[] slots;
  private final int mask;

  private LikedPairs(long[] slots) {
    this.slots = slots;
    this.mask = slots.length - 1;
  }

  /** Every pair of {@code history}; at most half the slots are filled. */
  static LikedPairs of(UserHistory history) {
    long pairs = history.size();
    int capacity = Integer.highestOneBit((int) Math.min(1 << 30, Math.max(16, pairs * 2 - 1))) << 1;
    long[] slots = new long[capacity];
    java.util.Arrays.fill(slots, EMPTY);
    LikedPairs set = new LikedPairs(slots);
    for (int u = 0; u < history.users(); u++) {
      for (int i : history.items(u)) {
        set.insert(key(u, i));
      }
    }
    return set;
  }

  private static long key(int user, int item) {
    return ((long) user << 32) | (item & 0xFFFFFFFFL);
  }

  /** The finaliser of MurmurHash3: every key bit reaches the low bits the mask keeps. */
  private static int slot(long key, int mask) {
    long h = key;
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return (int) (h ^ (h >>> 33)) & mask;
  }

  private void insert(long key) {
    int s = slot(key, mask);
    while (slots[s] != EMPTY) {
      if (slots[s] == key) {
        return;
      }
      s = (s + 1) & mask;
    }
    slots[s] = key;
  }

  boolean contains(int user, int item) {
    long key = key(user, item);
    int s = slot(key, mask);
    long found;
    while ((found = slots[s]) != EMPTY) {
      if (found == key) {
        return true;
      }
      s = (s + 1) & mask;
    }
    return false;
  }
}
