package io.perennial.nn;

/**
 * Losses with their gradients with respect to the logits. Every loss is the mean over the valid
 * rows; padding rows are masked out ({@code valid[r] == false}, or a target of {@code -1} for the
 * full softmax) and get no gradient. Backward accumulates {@code dloss · ∂L/∂logit} into dlogits.
 *
 * <p>Sampled layouts: logits {@code (BT, 1+K)}, column 0 the positive, columns 1..K the K sampled
 * negatives. Full softmax: logits {@code (BT, V)}, targets {@code (BT)}. Log-sum-exp is cached per
 * row ({@code lse (BT)}) so backward need not recompute it.
 */
public final class Losses {
  private Losses() {}

  /** Stable {@code log(1 + eˣ)}: {@code max(x, 0) + log1p(e^-|x|)} never overflows. */
  static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** σ(x) without overflow for large |x|. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }

  private static int validCount(boolean[] valid, int validOff, int bt) {
    if (valid == null) {
      return bt;
    }
    int n = 0;
    for (int r = 0; r < bt; r++) {
      if (valid[validOff + r]) {
        n++;
      }
    }
    return n;
  }

  private static boolean isValid(boolean[] valid, int validOff, int r) {
    return valid == null || valid[validOff + r];
  }

  // ---- binary cross-entropy with sampled negatives (SASRec, NeuMF) ----

  /**
   * {@code L = mean_r [ -log σ(s₀) - Σ_k log(1 - σ(s_k)) ] = mean_r [ softplus(-s₀) + Σ_k softplus(s_k) ]}
   * over logits (BT, 1+K); {@code valid} (BT) or null for all rows.
   */
  public static float bceSampledForward(float[] logits, int off, boolean[] valid, int validOff, int bt, int k) {
    int n = validCount(valid, validOff, bt);
    if (n == 0) {
      return 0f;
    }
    double sum = 0;
    for (int r = 0; r < bt; r++) {
      if (!isValid(valid, validOff, r)) {
        continue;
      }
      int row = off + r * (1 + k);
      sum += softplus(-logits[row]);
      for (int j = 1; j <= k; j++) {
        sum += softplus(logits[row + j]);
      }
    }
    return (float) (sum / n);
  }

  /** In the forward pass softplus(-s₀) and softplus(s_k), so ∂/∂s₀ = σ(s₀) - 1 and ∂/∂s_k = σ(s_k), over n. */
  public static void bceSampledBackward(float[] dlogits, int doff, float[] logits, int off, boolean[] valid,
      int validOff, int bt, int k, float dloss) {
    int n = validCount(valid, validOff, bt);
    if (n == 0) {
      return;
    }
    double scale = (double) dloss / n;
    for (int r = 0; r < bt; r++) {
      if (!isValid(valid, validOff, r)) {
        continue;
      }
      int row = r * (1 + k);
      dlogits[doff + row] += (float) ((sigmoid(logits[off + row]) - 1) * scale);
      for (int j = 1; j <= k; j++) {
        dlogits[doff + row + j] += (float) (sigmoid(logits[off + row + j]) * scale);
      }
    }
  }

  /** Point-wise BCE on logits (BT) with labels y in [0, 1]: {@code mean_r [softplus(s) - y·s]}. */
  public static float bceForward(float[] logits, int off, float[] labels, int labelOff, boolean[] valid,
      int validOff, int bt) {
    int n = validCount(valid, validOff, bt);
    if (n == 0) {
      return 0f;
    }
    double sum = 0;
    for (int r = 0; r < bt; r++) {
      if (isValid(valid, validOff, r)) {
        double s = logits[off + r];
        sum += softplus(s) - labels[labelOff + r] * s;
      }
    }
    return (float) (sum / n);
  }

  /** In the forward pass softplus(s) - y·s, so ∂/∂s = σ(s) - y, over n. */
  public static void bceBackward(float[] dlogits, int doff, float[] logits, int off, float[] labels, int labelOff,
      boolean[] valid, int validOff, int bt, float dloss) {
    int n = validCount(valid, validOff, bt);
    if (n == 0) {
      return;
    }
    for (int r = 0; r < bt; r++) {
      if (isValid(valid, validOff, r)) {
        dlogits[doff + r] += (float) ((sigmoid(logits[off + r]) - labels[labelOff + r]) * dloss / n);
      }
    }
  }

  // ---- BPR ----

  /** {@code L = mean_r Σ_k -log σ(s₀ - s_k) = mean_r Σ_k softplus(s_k - s₀)} over logits (BT, 1+K). */
  public static float bprForward(float[] logits, int off, boolean[] valid, int validOff, int bt, int k) {
    int n = validCount(valid, validOff, bt);
    if (n == 0) {
      return 0f;
    }
    double sum = 0;
    for (int r = 0; r < bt; r++) {
      if (isValid(valid, validOff, r)) {
        int row = off + r * (1 + k);
        for (int j = 1; j <= k; j++) {
          sum += softplus(logits[row + j] - logits[row]);
        }
      }
    }
    return (float) (sum / n);
  }

  /** In the forward pass softplus(s_k - s₀), so ∂/∂s_k = σ(s_k - s₀) and ∂/∂s₀ = -Σ_k σ(s_k - s₀), over n. */
  public static void bprBackward(float[] dlogits, int doff, float[] logits, int off, boolean[] valid, int validOff,
      int bt, int k, float dloss) {
    int n = validCount(valid, validOff, bt);
    if (n == 0) {
      return;
    }
    double scale = (double) dloss / n;
    for (int r = 0; r < bt; r++) {
      if (isValid(valid, validOff, r)) {
        int row = r * (1 + k);
        double dPos = 0;
        for (int j = 1; j <= k; j++) {
          double g = sigmoid(logits[off + row + j] - logits[off + row]) * scale;
          dlogits[doff + row + j] += (float) g;
          dPos -= g;
        }
        dlogits[doff + row] += (float) dPos;
      }
    }
  }

  // ---- sampled softmax ----

  /**
   * Sampled-softmax cross-entropy over logits (BT, 1+K): {@code L = mean_r [lse(s') - s'₀]} with
   * {@code s' = s - log Q} when {@code logQ} (BT, 1+K) is given (the sampling-bias correction of Yi
   * et al., RecSys 2019, for a non-uniform sampler: log Q is the log sampling probability of each
   * candidate), else {@code s' = s}. Writes lse (BT) for backward.
   */
  public static float sampledSoftmaxForward(float[] logits, int off, float[] logQ, int logQOff, float[] lse,
      int lseOff, boolean[] valid, int validOff, int bt, int k) {
    int n = validCount(valid, validOff, bt);
    double sum = 0;
    for (int r = 0; r < bt; r++) {
      if (!isValid(valid, validOff, r)) {
        continue;
      }
      int row = r * (1 + k);
      double l = logSumExp(logits, off + row, logQ, logQ == null ? 0 : logQOff + row, 1 + k);
      lse[lseOff + r] = (float) l;
      sum += l - corrected(logits, off + row, logQ, logQOff + row);
    }
    return n == 0 ? 0f : (float) (sum / n);
  }

  /** In the forward pass lse(s') - s'₀, so ∂/∂s_j = softmax(s')_j - [j = 0], over n (∂s'/∂s = 1). */
  public static void sampledSoftmaxBackward(float[] dlogits, int doff, float[] logits, int off, float[] logQ,
      int logQOff, float[] lse, int lseOff, boolean[] valid, int validOff, int bt, int k, float dloss) {
    int n = validCount(valid, validOff, bt);
    if (n == 0) {
      return;
    }
    double scale = (double) dloss / n;
    for (int r = 0; r < bt; r++) {
      if (!isValid(valid, validOff, r)) {
        continue;
      }
      int row = r * (1 + k);
      double l = lse[lseOff + r];
      for (int j = 0; j <= k; j++) {
        double pj = Math.exp(corrected(logits, off + row + j, logQ, logQOff + row + j) - l);
        dlogits[doff + row + j] += (float) ((pj - (j == 0 ? 1 : 0)) * scale);
      }
    }
  }

  // ---- full softmax ----

  /**
   * Full-softmax cross-entropy over logits (BT, V): {@code L = mean_r [lse(s_r) - s_r[target_r]]},
   * rows with target -1 masked. Writes lse (BT) for backward.
   */
  public static float softmaxForward(float[] logits, int off, int[] targets, int targetOff, float[] lse, int lseOff,
      int bt, int v) {
    int n = 0;
    double sum = 0;
    for (int r = 0; r < bt; r++) {
      int t = targets[targetOff + r];
      if (t < 0) {
        continue;
      }
      if (t >= v) {
        throw new IndexOutOfBoundsException("target " + t + " outside a vocabulary of " + v);
      }
      n++;
      double l = logSumExp(logits, off + r * v, null, 0, v);
      lse[lseOff + r] = (float) l;
      sum += l - logits[off + r * v + t];
    }
    return n == 0 ? 0f : (float) (sum / n);
  }

  /** In the forward pass lse(s) - s[t], so ∂/∂s_j = softmax(s)_j - [j = t], over n. */
  public static void softmaxBackward(float[] dlogits, int doff, float[] logits, int off, int[] targets,
      int targetOff, float[] lse, int lseOff, int bt, int v, float dloss) {
    int n = 0;
    for (int r = 0; r < bt; r++) {
      if (targets[targetOff + r] >= 0) {
        n++;
      }
    }
    if (n == 0) {
      return;
    }
    double scale = (double) dloss / n;
    for (int r = 0; r < bt; r++) {
      int t = targets[targetOff + r];
      if (t < 0) {
        continue;
      }
      double l = lse[lseOff + r];
      int row = r * v;
      for (int j = 0; j < v; j++) {
        double pj = Math.exp(logits[off + row + j] - l);
        dlogits[doff + row + j] += (float) ((pj - (j == t ? 1 : 0)) * scale);
      }
    }
  }

  private static double corrected(float[] logits, int at, float[] logQ, int logQAt) {
    return logQ == null ? logits[at] : (double) logits[at] - logQ[logQAt];
  }

  /** {@code log Σ e^{x_j}}, subtracting the maximum first so no exponent overflows. */
  private static double logSumExp(float[] x, int off, float[] logQ, int logQOff, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      max = Math.max(max, corrected(x, off + j, logQ, logQOff + j));
    }
    double s = 0;
    for (int j = 0; j < n; j++) {
      s += Math.exp(corrected(x, off + j, logQ, logQOff + j) - max);
    }
    return max + Math.log(s);
  }
}
