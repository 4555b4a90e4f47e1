package io.perennial.model.mf;

import io.perennial.data.InteractionLog;
import io.perennial.model.EpochLoop;
import io.perennial.model.TrainingOptions;
import io.perennial.privacy.DpConfig;
import io.perennial.privacy.PrivacyReport;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * MF trained by DP-SGD ({@link DpConfig}): Poisson-sampled ratings, each one's squared-error
 * gradient over {@code p_u, q_i, b_u, b_i} taken at the step's parameters and clipped to the clip
 * norm, Gaussian noise on every parameter of every table, decoupled weight decay. Ratings are
 * centred and scaled by the public scale of {@code dp.ratingMin}–{@code dp.ratingMax} (centre the
 * midpoint, spread a quarter of the range) and clamped into it, so nothing is computed from the data
 * outside the noisy steps.
 */
final class DpMfTraining {

  private DpMfTraining() {}

  /** The public rating scale: no statistic of the data. */
  static RatingScale publicScale(DpConfig dp) {
    float lo = dp.ratingMin();
    float hi = dp.ratingMax();
    return new RatingScale((lo + hi) / 2, (hi - lo) / 4, lo, hi);
  }

  static PrivacyReport train(MfModel m, InteractionLog log, TrainingOptions options, SplittableRandom random) {
    MfConfig config = m.config();
    DpConfig dp = config.dp();
    int n = log.size();
    double q = dp.samplingRate(n);
    long stepsPerEpoch = (long) Math.ceil(1 / q);
    double sigma = dp.sigmaFor(config.epochs(), n);
    int k = m.factors();
    float[] p = m.userFactors();
    float[] qt = m.itemFactors();
    float[] bu = m.userBias();
    float[] bi = m.itemBias();
    float[] accP = new float[p.length];
    float[] accQ = new float[qt.length];
    float[] accBu = new float[bu.length];
    float[] accBi = new float[bi.length];
    long[] stepsTaken = {0};
    float clip = dp.clipNorm();
    float noise = (float) (sigma * clip);
    float keep = 1 - dp.weightDecay();
    float lo = dp.ratingMin();
    float hi = dp.ratingMax();
    EpochLoop.run(MfModel.TYPE, m, config.epochs(), n, options,
        epoch -> {
          float lr = (float) (config.learningRate() * Math.pow(config.learningRateDecay(), epoch));
          double squared = 0;
          long seen = 0;
          for (long s = 0; s < stepsPerEpoch; s++) {
            for (int e = nextSampled(-1, q, n, random); e < n; e = nextSampled(e, q, n, random)) {
              float r = Math.min(hi, Math.max(lo, log.value(e)));
              squared += accumulateClipped(m, log.user(e), log.item(e), r, clip, accP, accQ, accBu, accBi);
              seen++;
            }
            noisyStep(p, accP, lr, noise, keep, random);
            noisyStep(qt, accQ, lr, noise, keep, random);
            noisyStep(bu, accBu, lr, noise, keep, random);
            noisyStep(bi, accBi, lr, noise, keep, random);
            stepsTaken[0]++;
          }
          m.invalidateCaches();
          return seen == 0 ? 0 : Math.sqrt(squared / seen);
        },
        () -> new float[][] {p.clone(), qt.clone(), bu.clone(), bi.clone()},
        snapshot -> {
          System.arraycopy(snapshot[0], 0, p, 0, p.length);
          System.arraycopy(snapshot[1], 0, qt, 0, qt.length);
          System.arraycopy(snapshot[2], 0, bu, 0, bu.length);
          System.arraycopy(snapshot[3], 0, bi, 0, bi.length);
          m.invalidateCaches();
        });
    return PrivacyReport.of(dp, sigma, stepsTaken[0], n);
  }

  private static int nextSampled(int previous, double q, int n, SplittableRandom random) {
    if (q >= 1) {
      return previous + 1;
    }
    double gap = Math.floor(Math.log(1 - random.nextDouble()) / Math.log1p(-q));
    return gap >= n ? n : (int) Math.min(n, previous + 1 + (long) gap);
  }

  /**
   * Adds one rating's clipped descent direction of the squared error, at the current parameters,
   * to the accumulators; returns the squared residual.
   */
  static double accumulateClipped(MfModel m, int u, int i, float r, float clip, float[] accP, float[] accQ,
      float[] accBu, float[] accBi) {
    int k = m.factors();
    float[] p = m.userFactors();
    float[] q = m.itemFactors();
    int po = u * k;
    int qo = i * k;
    float pred = m.globalBias() + m.userBias()[u] + m.itemBias()[i];
    double pp = 0;
    double qq = 0;
    for (int d = 0; d < k; d++) {
      pred += p[po + d] * q[qo + d];
      pp += p[po + d] * p[po + d];
      qq += q[qo + d] * q[qo + d];
    }
    float err = m.residual(r, pred);
    float factorErr = err / m.ratingSpread();
    double norm = Math.sqrt(2.0 * err * err + (double) factorErr * factorErr * (pp + qq));
    float scale = (float) Math.min(1, clip / Math.max(norm, 1e-30));
    for (int d = 0; d < k; d++) {
      accP[po + d] += scale * factorErr * q[qo + d];
      accQ[qo + d] += scale * factorErr * p[po + d];
    }
    accBu[u] += scale * err;
    accBi[i] += scale * err;
    return (double) (r - pred) * (r - pred);
  }

  private static void noisyStep(float[] table, float[] acc, float lr, float noise, float keep, SplittableRandom random) {
    for (int x = 0; x < table.length; x++) {
      table[x] = keep * table[x] + lr * (acc[x] + noise * (float) random.nextGaussian());
    }
    Arrays.fill(acc, 0f);
  }
}
