package io.perennial.model.fusion;

import io.perennial.kernel.TopK;
import java.util.Arrays;

/**
 * One user's candidates and every member's calibrated score on them: the candidates are the union
 * of each member's top {@code perMember} unseen items, and each member's scores are calibrated over
 * that union, so every candidate has a value from every member (no member is missing an opinion).
 * Also keeps each member's mean and deviation over the union, which order the items outside it.
 */
final class Calibrated {

  /** Candidate items, ascending. */
  final int[] items;
  /** {@code values[m][c]}: member m's calibrated score of {@code items[c]}. */
  final float[][] values;
  private final double[] mean;
  private final double[] deviation;

  private Calibrated(int[] items, float[][] values, double[] mean, double[] deviation) {
    this.items = items;
    this.values = values;
    this.mean = mean;
    this.deviation = deviation;
  }

  /**
   * @param scores {@code scores[m][i]}: member m's raw score of item i (NaN or −∞ where it cannot rank i)
   * @param items the catalogue size
   * @param seen sorted items the user interacted with: never candidates
   * @param perMember each member's top list length; 0 or more than the unseen items = all unseen items
   * @param calibration {@code zscore}, {@code rank} or {@code rrf}
   */
  static Calibrated of(float[][] scores, int items, int[] seen, int perMember, String calibration, float rrfK) {
    int[] candidates = union(scores, items, seen, perMember);
    int members = scores.length;
    float[][] values = new float[members][candidates.length];
    double[] mean = new double[members];
    double[] deviation = new double[members];
    for (int m = 0; m < members; m++) {
      float[] raw = gather(scores[m], candidates);
      mean[m] = meanOf(raw);
      deviation[m] = deviationOf(raw, mean[m]);
      switch (calibration) {
        case "zscore" -> zScores(raw, mean[m], deviation[m], values[m]);
        case "rank" -> rankScores(raw, values[m]);
        case "rrf" -> reciprocalRanks(raw, rrfK, values[m]);
        default -> throw new IllegalArgumentException("unknown calibration '" + calibration + "'");
      }
    }
    return new Calibrated(candidates, values, mean, deviation);
  }

  /**
   * Writes the fused score of every item into {@code out}: {@code Σ_m w_m · value_m} on the
   * candidates; below every candidate, the rest in the order of their weighted z-scores (the same
   * order a full-catalogue z-score fusion gives them), so a ranking past the candidates still means
   * something (sampled evaluation ranks such items).
   */
  void fuse(float[] weights, float[][] scores, float[] out, int items) {
    float floor = Float.POSITIVE_INFINITY;
    for (int c = 0; c < this.items.length; c++) {
      float s = 0;
      for (int m = 0; m < weights.length; m++) {
        s += weights[m] * values[m][c];
      }
      out[this.items[c]] = s;
      floor = Math.min(floor, s);
    }
    if (this.items.length == 0) {
      floor = 0;
    }
    int c = 0;
    for (int i = 0; i < items; i++) {
      if (c < this.items.length && this.items[c] == i) {
        c++;
        continue;
      }
      out[i] = belowCandidates(floor, outsideZ(weights, scores, i));
    }
  }

  /** The weighted z-score of an item outside the candidates, against the candidates' statistics. */
  private double outsideZ(float[] weights, float[][] scores, int item) {
    double z = 0;
    for (int m = 0; m < weights.length; m++) {
      float s = scores[m][item];
      if (!Float.isFinite(s)) {
        return Double.NEGATIVE_INFINITY;
      }
      if (weights[m] != 0 && deviation[m] > 0) {
        z += weights[m] * (s - mean[m]) / deviation[m];
      }
    }
    return z;
  }

  /** Maps any z onto {@code (−∞, floor − 1)}, increasing: {@code floor − 1 − softplus(−z)}. */
  static float belowCandidates(float floor, double z) {
    if (z == Double.NEGATIVE_INFINITY) {
      return Float.NEGATIVE_INFINITY;
    }
    double softplus = -z > 30 ? -z : Math.log1p(Math.exp(-z));
    return (float) (floor - 1 - softplus);
  }

  /** Union of each member's top {@code perMember} unseen items, ascending. */
  static int[] union(float[][] scores, int items, int[] seen, int perMember) {
    int unseen = items - countBelow(seen, items);
    boolean[] chosen = new boolean[items];
    if (perMember == 0 || perMember >= unseen) {
      Arrays.fill(chosen, true);
    } else {
      TopK top = new TopK(perMember);
      int[] ids = new int[perMember];
      float[] ignored = new float[perMember];
      for (float[] member : scores) {
        top.reset(perMember);
        int e = 0;
        for (int i = 0; i < items; i++) {
          while (e < seen.length && seen[e] < i) {
            e++;
          }
          if (e < seen.length && seen[e] == i) {
            continue;
          }
          float s = member[i];
          top.offer(i, Float.isNaN(s) ? Float.NEGATIVE_INFINITY : s);
        }
        int n = top.drainTo(ids, ignored);
        for (int r = 0; r < n; r++) {
          chosen[ids[r]] = true;
        }
      }
    }
    for (int s : seen) {
      if (s >= 0 && s < items) {
        chosen[s] = false;
      }
    }
    int count = 0;
    for (boolean b : chosen) {
      count += b ? 1 : 0;
    }
    int[] out = new int[count];
    int n = 0;
    for (int i = 0; i < items; i++) {
      if (chosen[i]) {
        out[n++] = i;
      }
    }
    return out;
  }

  private static int countBelow(int[] sorted, int bound) {
    int n = 0;
    for (int s : sorted) {
      n += s >= 0 && s < bound ? 1 : 0;
    }
    return n;
  }

  private static float[] gather(float[] scores, int[] items) {
    float[] out = new float[items.length];
    for (int c = 0; c < items.length; c++) {
      float s = scores[items[c]];
      out[c] = Float.isNaN(s) ? Float.NEGATIVE_INFINITY : s;
    }
    return out;
  }

  /** Mean of the finite values (0 when none). */
  static double meanOf(float[] values) {
    double sum = 0;
    int n = 0;
    for (float v : values) {
      if (Float.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? 0 : sum / n;
  }

  /** Standard deviation of the finite values around {@code mean} (0 when fewer than two). */
  static double deviationOf(float[] values, double mean) {
    double sum = 0;
    int n = 0;
    for (float v : values) {
      if (Float.isFinite(v)) {
        sum += (v - mean) * (v - mean);
        n++;
      }
    }
    return n < 2 ? 0 : Math.sqrt(sum / n);
  }

  /** {@code (s − mean) / sd}; a member with no spread says nothing (0), a non-finite score is the lowest seen − 1. */
  static void zScores(float[] raw, double mean, double deviation, float[] out) {
    float lowest = 0;
    for (int c = 0; c < raw.length; c++) {
      out[c] = Float.isFinite(raw[c]) && deviation > 0 ? (float) ((raw[c] - mean) / deviation) : 0f;
      lowest = Math.min(lowest, out[c]);
    }
    for (int c = 0; c < raw.length; c++) {
      if (!Float.isFinite(raw[c])) {
        out[c] = lowest - 1;
      }
    }
  }

  /** {@code 1 − (rank − 1) / n}: the member's best candidate 1, its worst {@code 1/n}. */
  static void rankScores(float[] raw, float[] out) {
    int[] rank = ranks(raw);
    for (int c = 0; c < raw.length; c++) {
      out[c] = 1f - (float) (rank[c] - 1) / raw.length;
    }
  }

  /** {@code 1 / (k + rank)}. */
  static void reciprocalRanks(float[] raw, float k, float[] out) {
    int[] rank = ranks(raw);
    for (int c = 0; c < raw.length; c++) {
      out[c] = 1f / (k + rank[c]);
    }
  }

  /** 1-based ranks by descending score; ties go to the earlier position (the smaller item). */
  static int[] ranks(float[] raw) {
    Integer[] order = new Integer[raw.length];
    for (int c = 0; c < order.length; c++) {
      order[c] = c;
    }
    Arrays.sort(order, (a, b) -> Float.compare(raw[b], raw[a]));
    int[] rank = new int[raw.length];
    for (int r = 0; r < order.length; r++) {
      rank[order[r]] = r + 1;
    }
    return rank;
  }
}
