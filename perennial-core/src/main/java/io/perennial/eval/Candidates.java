package io.perennial.eval;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Which items a test user's held-out items are ranked against, as named by {@code --candidates}:
 * {@code all} (full ranking over every item the user never interacted with, the default) or {@code
 * sampled:N} (the held-out items against N items drawn uniformly <em>without replacement</em> from
 * those the user never interacted with, the protocol of the NCF and SASRec papers). The draw is
 * fixed by {@code seed} and the user alone, so it does not depend on the model, on threads or on
 * which other users are scored.
 *
 * @param sampled N for {@code sampled:N}; 0 for {@code all}
 * @param seed seed of the draws (the CLI's {@code --split-seed})
 */
public record Candidates(int sampled, long seed) {

  /** Full ranking. */
  public static final Candidates ALL = new Candidates(0, 0);

  /** Checks N. */
  public Candidates {
    if (sampled < 0) {
      throw new IllegalArgumentException("sampled candidates must be >= 1, got " + sampled);
    }
  }

  /**
   * Parses {@code all} or {@code sampled:N} (N ≥ 1).
   *
   * @throws IllegalArgumentException naming what is accepted
   */
  public static Candidates parse(String text, long seed) {
    String key = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (key.equals("all")) {
      return ALL;
    }
    if (key.startsWith("sampled:")) {
      try {
        int n = Integer.parseInt(key.substring("sampled:".length()));
        if (n >= 1) {
          return new Candidates(n, seed);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException("unknown candidate set '" + text + "' (expected all or sampled:N with N >= 1, e.g. sampled:100)");
  }

  /** Whether the ranking is over every item (no sampling). */
  public boolean isAll() {
    return sampled == 0;
  }

  /** {@code all} or {@code sampled:N}, as the CLI and the JSON name it. */
  public String cliName() {
    return isAll() ? "all" : "sampled:" + sampled;
  }

  /**
   * The sampled negatives of {@code user}: {@code min(N, items − |touched|)} distinct items in
   * {@code [0, items)} not in {@code touched}, in draw order. A user who touched nearly every item
   * gets every untouched one.
   *
   * @param touched every item the user interacted with, sorted ascending (held-out items included)
   * @param items size of the item universe
   * @param scratch a cleared bit set of at least {@code items} bits; left cleared
   */
  public int[] negatives(int user, int[] touched, int items, BitSet scratch) {
    int untouched = items - countBelow(touched, items);
    int n = Math.min(sampled, untouched);
    int[] out = new int[n];
    SplittableRandom random = new SplittableRandom(mix(seed, user));
    if (n == untouched) {
      // Every untouched item; the draw would only reorder them.
      int m = 0;
      for (int i = 0; i < items && m < n; i++) {
        if (Arrays.binarySearch(touched, i) < 0) {
          out[m++] = i;
        }
      }
      return out;
    }
    // Rejection sampling: uniform over the untouched items, each drawn at most once. Expected
    // draws stay below 2n while the untouched set is at least twice n; otherwise it is still exact.
    int m = 0;
    while (m < n) {
      int i = random.nextInt(items);
      if (!scratch.get(i) && Arrays.binarySearch(touched, i) < 0) {
        scratch.set(i);
        out[m++] = i;
      }
    }
    for (int i : out) {
      scratch.clear(i);
    }
    return out;
  }

  /**
   * What {@code user}'s held-out items are ranked against: {@code relevant} first, then the {@link
   * #negatives}. Each held-out item appears once, and no negative is an item the user touched.
   *
   * @param relevant the user's held-out items, sorted and distinct; they must be in {@code touched}
   */
  public int[] pool(int user, int[] relevant, int[] touched, int items, BitSet scratch) {
    int[] negatives = negatives(user, touched, items, scratch);
    int[] pool = Arrays.copyOf(relevant, relevant.length + negatives.length);
    System.arraycopy(negatives, 0, pool, relevant.length, negatives.length);
    return pool;
  }

  private static int countBelow(int[] sorted, int bound) {
    int at = Arrays.binarySearch(sorted, bound);
    return at >= 0 ? at : -at - 1;
  }

  /** SplitMix64's finaliser over seed and user: independent streams per user. */
  static long mix(long seed, int user) {
    long z = seed + 0x9E3779B97F4A7C15L * (user + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
