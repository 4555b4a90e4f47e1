package io.perennial.model.bpr;

import io.perennial.model.EpochLoop;
import io.perennial.model.TrainingOptions;
import io.perennial.privacy.DpConfig;
import io.perennial.privacy.PrivacyReport;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * BPR trained by DP-SGD ({@link DpConfig}). Each step Poisson-samples the positives, computes every
 * sampled triple's gradient at the same parameters, clips it over all the parameters it touches
 * ({@code p_u, q_i, q_j, b_i, b_j}) to the clip norm, sums, and adds Gaussian noise to every
 * parameter of every table, so which rows a batch touched is hidden too. Negatives are drawn
 * uniformly over all items, seen ones included: rejecting a user's seen items would let one
 * interaction change the other examples' gradients, which the per-example bound does not cover.
 * The weight decay is applied to every parameter each step and costs no privacy.
 */
final class DpBprTraining {

  private DpBprTraining() {}

  static PrivacyReport train(BprModel m, int[] posUsers, int[] posItems, TrainingOptions options,
      SplittableRandom random) {
    BprConfig config = m.config();
    DpConfig dp = config.dp();
    int n = posUsers.length;
    double q = dp.samplingRate(n);
    long stepsPerEpoch = (long) Math.ceil(1 / q);
    double sigma = dp.sigmaFor(config.epochs(), n);
    int k = m.factors();
    float[] p = m.userFactors();
    float[] itemRows = m.itemFactors();
    float[] b = m.itemBias();
    float[] accP = new float[m.userCount() * k];
    float[] accQ = new float[m.itemCount() * k];
    float[] accB = new float[m.itemCount()];
    long[] stepsTaken = {0};
    float clip = dp.clipNorm();
    float noise = (float) (sigma * clip);
    float keep = 1 - dp.weightDecay();
    EpochLoop.run(BprModel.TYPE, m, config.epochs(), n, options,
        epoch -> {
          float lr = (float) (config.learningRate() * Math.pow(config.learningRateDecay(), epoch));
          double loss = 0;
          long seen = 0;
          for (long s = 0; s < stepsPerEpoch; s++) {
            for (int e = nextSampled(-1, q, n, random); e < n; e = nextSampled(e, q, n, random)) {
              int j = random.nextInt(m.itemCount());
              if (j == posItems[e]) {
                continue;
              }
              loss += accumulateClipped(p, itemRows, b, posUsers[e], posItems[e], j, k, clip, accP, accQ, accB);
              seen++;
            }
            noisyStep(p, accP, lr, noise, keep, random);
            noisyStep(itemRows, accQ, lr, noise, keep, random);
            noisyStep(b, accB, lr, noise, keep, random);
            stepsTaken[0]++;
          }
          m.invalidateCaches();
          return seen == 0 ? 0 : loss / seen;
        },
        () -> new float[][] {p.clone(), itemRows.clone(), b.clone()},
        s -> {
          System.arraycopy(s[0], 0, p, 0, s[0].length);
          System.arraycopy(s[1], 0, itemRows, 0, s[1].length);
          System.arraycopy(s[2], 0, b, 0, s[2].length);
          m.invalidateCaches();
        });
    // the accountant charges every step taken, including those of epochs early stopping discarded
    return PrivacyReport.of(dp, sigma, stepsTaken[0], n);
  }

  /** The next example after {@code previous} in a Poisson sample of rate {@code q} (geometric gaps). */
  static int nextSampled(int previous, double q, int n, SplittableRandom random) {
    return io.perennial.privacy.PoissonSampling.next(previous, q, n, random);
  }

  /**
   * Adds the clipped ascent direction of {@code ln σ(x_uij)} for one triple, taken at the current
   * parameters (nothing is changed until the step), to the accumulators; returns the triple's loss.
   */
  static double accumulateClipped(float[] p, float[] q, float[] b, int u, int i, int j, int k, float clip,
      float[] accP, float[] accQ, float[] accB) {
    int po = u * k;
    int io = i * k;
    int jo = j * k;
    float x = BprModel.preference(p, po, q, b, i, j, k);
    float g = (float) (1 / (1 + Math.exp(x)));
    double normSquared = 2;
    for (int d = 0; d < k; d++) {
      float diff = q[io + d] - q[jo + d];
      normSquared += diff * diff + 2 * p[po + d] * p[po + d];
    }
    normSquared *= (double) g * g;
    float scale = g * (float) Math.min(1, clip / Math.sqrt(Math.max(normSquared, 1e-30)));
    for (int d = 0; d < k; d++) {
      accP[po + d] += scale * (q[io + d] - q[jo + d]);
      accQ[io + d] += scale * p[po + d];
      accQ[jo + d] -= scale * p[po + d];
    }
    accB[i] += scale;
    accB[j] -= scale;
    return Math.log1p(Math.exp(-x));
  }

  /** {@code θ ← keep·θ + lr·(Σ clipped + N(0, (σC)²))} over the whole table; clears the sum. */
  private static void noisyStep(float[] table, float[] acc, float lr, float noise, float keep, SplittableRandom random) {
    int n = Math.min(table.length, acc.length);
    for (int x = 0; x < n; x++) {
      table[x] = keep * table[x] + lr * (acc[x] + noise * (float) random.nextGaussian());
    }
    Arrays.fill(acc, 0f);
  }
}
