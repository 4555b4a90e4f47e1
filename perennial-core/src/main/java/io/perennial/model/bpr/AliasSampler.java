package io.perennial.model.bpr;

import java.util.SplittableRandom;

/**
 * Draws indices in proportion to fixed non-negative weights in O(1) (Vose's alias method, "A
 * linear algorithm for generating random numbers with a given distribution", IEEE TSE 1991).
 */
final class AliasSampler {

  private final float[] probability;
  private final int[] alias;

  AliasSampler(double[] weights) {
    int n = weights.length;
    probability = new float[n];
    alias = new int[n];
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    if (!(total > 0)) {
      throw new IllegalArgumentException("weights must have a positive sum");
    }
    double[] scaled = new double[n];
    int[] small = new int[n];
    int[] large = new int[n];
    int ns = 0;
    int nl = 0;
    for (int i = 0; i < n; i++) {
      scaled[i] = weights[i] * n / total;
      if (scaled[i] < 1) {
        small[ns++] = i;
      } else {
        large[nl++] = i;
      }
    }
    while (ns > 0 && nl > 0) {
      int s = small[--ns];
      int l = large[--nl];
      probability[s] = (float) scaled[s];
      alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) {
        small[ns++] = l;
      } else {
        large[nl++] = l;
      }
    }
    while (nl > 0) {
      probability[large[--nl]] = 1f;
    }
    while (ns > 0) {
      probability[small[--ns]] = 1f;
    }
  }

  int sample(SplittableRandom random) {
    int column = random.nextInt(probability.length);
    return random.nextFloat() < probability[column] ? column : alias[column];
  }

  /** As {@link #sample(SplittableRandom)} from 64 random bits: the high half picks the column, the low the coin. */
  int sample(long bits) {
    int column = (int) (((bits >>> 32) * probability.length) >>> 32);
    float coin = (bits & 0xFFFFFF) * 0x1.0p-24f;
    return coin < probability[column] ? column : alias[column];
  }
}
