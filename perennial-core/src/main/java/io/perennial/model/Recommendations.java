package io.perennial.model;

import java.util.Arrays;

/**
 * A ranked list: {@code ids[i]} (dense item index) scored {@code scores[i]}, best first.
 *
 * @param ids dense item indices
 * @param scores their scores, non-increasing
 * @param fallback true when the list came from the popularity fallback (unknown or empty user)
 */
public record Recommendations(int[] ids, float[] scores, boolean fallback) {

  public Recommendations {
    if (ids.length != scores.length) {
      throw new IllegalArgumentException("ids and scores differ in length");
    }
  }

  /** Number of items in the list (at most the k asked for). */
  public int size() {
    return ids.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Recommendations r
        && Arrays.equals(ids, r.ids)
        && Arrays.equals(scores, r.scores)
        && fallback == r.fallback;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + Arrays.hashCode(scores);
  }

  @Override
  public String toString() {
    return "Recommendations" + Arrays.toString(ids) + Arrays.toString(scores) + (fallback ? " (fallback)" : "");
  }
}
