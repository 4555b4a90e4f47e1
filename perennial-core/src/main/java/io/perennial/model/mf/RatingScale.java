package io.perennial.model.mf;

import io.perennial.data.InteractionLog;
import java.util.Arrays;

/**
 * Where the training ratings sit: the centre and spread biased MF standardises them by, and the
 * observed range its predicted ratings are clipped to.
 *
 * <p>Centre and spread are the mean and standard deviation of the values inside fences three times
 * the 1st–99th percentile range beyond those percentiles ({@code P1 − 3·(P99 − P1)}, {@code P99 +
 * 3·(P99 − P1)}), so a few wild values cannot set the scale. Any rating scale lies well inside
 * them, however skewed (quartile fences cut the low ratings of a scale where most are 5s): on
 * MovieLens and on star or percent ratings the figures are the plain mean and standard deviation.
 *
 * @param centre mean of the fenced values
 * @param spread standard deviation of the fenced values (of all values when that is 0; 1 when every
 *     value is the same)
 * @param min smallest value seen
 * @param max largest value seen
 */
record RatingScale(float centre, float spread, float min, float max) {

  /** Values sorted to find the percentiles at most; larger logs are sampled at an even stride. */
  private static final int QUARTILE_SAMPLE = 1 << 20;

  /** The scale of an empty log: nothing to centre, unit spread, no range to clip to. */
  static final RatingScale NONE = new RatingScale(0f, 1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);

  static RatingScale of(InteractionLog log) {
    int n = log.size();
    if (n == 0) {
      return NONE;
    }
    int stride = Math.max(1, n / QUARTILE_SAMPLE);
    float[] sample = new float[(n + stride - 1) / stride];
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (int e = 0; e < n; e++) {
      float v = log.value(e);
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (e % stride == 0) {
        sample[e / stride] = v;
      }
    }
    Arrays.sort(sample);
    double p1 = sample[(int) (0.01 * (sample.length - 1))];
    double p99 = sample[(int) (0.99 * (sample.length - 1))];
    double width = p99 - p1;
    double[] fenced = meanAndDeviation(log, p1 - 3 * width, p99 + 3 * width);
    double spread = fenced[1];
    if (!(spread > 0)) {
      spread = meanAndDeviation(log, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)[1];
    }
    return new RatingScale((float) fenced[0], spread > 0 ? (float) spread : 1f, min, max);
  }

  /** Mean and standard deviation of the values in [lo, hi] (two passes, for precision). */
  private static double[] meanAndDeviation(InteractionLog log, double lo, double hi) {
    double sum = 0;
    long count = 0;
    for (int e = 0; e < log.size(); e++) {
      float v = log.value(e);
      if (v >= lo && v <= hi) {
        sum += v;
        count++;
      }
    }
    double mean = sum / count;
    double squared = 0;
    for (int e = 0; e < log.size(); e++) {
      float v = log.value(e);
      if (v >= lo && v <= hi) {
        squared += (v - mean) * (v - mean);
      }
    }
    return new double[] {mean, Math.sqrt(squared / count)};
  }
}
