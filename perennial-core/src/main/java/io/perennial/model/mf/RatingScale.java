package io.perennial.model.mf;

import io.perennial.data.InteractionLog;
import java.util.Arrays;

/**
 * Where the training ratings sit: the centre and spread biased MF standardises them by, and the
 * observed range its predicted ratings are clipped to.
 *
 * <p>Centre and spread are the mean and standard deviation of the values inside Tukey's far fences
 * ({@code Q1 − 3·IQR}, {@code Q3 + 3·IQR}), so one wild value cannot set the scale: on MovieLens
 * every rating is inside them and the figures are the plain mean and standard deviation.
 *
 * @param centre mean of the fenced values
 * @param spread standard deviation of the fenced values (of all values when that is 0; 1 when every
 *     value is the same)
 * @param min smallest value seen
 * @param max largest value seen
 */
record RatingScale(float centre, float spread, float min, float max) {

  /** Values sorted to find the quartiles at most; larger logs are sampled at an even stride. */
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
    double q1 = sample[sample.length / 4];
    double q3 = sample[(3 * sample.length) / 4];
    double iqr = q3 - q1;
    double[] fenced = meanAndDeviation(log, q1 - 3 * iqr, q3 + 3 * iqr);
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
