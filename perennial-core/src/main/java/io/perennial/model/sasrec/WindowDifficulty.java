package io.perennial.model.sasrec;

import io.perennial.kernel.VectorOps;
import io.perennial.nn.Embedding;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A network's verdict on each training window, for SASRec's self-paced and teacher curricula: the
 * network reads every window in inference mode (no dropout), and each of the window's target
 * positions is scored against {@link #NEGATIVES} uniform items drawn from {@code key} (shared by all
 * windows of one call, so windows are compared on the same negatives). A window's difficulty is the
 * mean over its targets of the sampled-softmax cross-entropy {@code lse(s_t, s_1..s_K) − s_t} (the
 * current model's loss, for self-paced) or of minus the margin {@code s_t − mean_j s_j} (a teacher's,
 * the margin the ranking models' teacher curricula use). Fewer negatives than training's 2,048: the
 * ranking they give is what matters, and the scoring pass must stay small beside an epoch.
 */
final class WindowDifficulty {

  /** Negatives each target is scored against. */
  static final int NEGATIVES = 256;
  /** Windows per forward pass. */
  private static final int BATCH = 32;

  private WindowDifficulty() {}

  /**
   * Each window's difficulty under {@code network}: higher is harder.
   *
   * @param itemCount negatives are drawn from {@code 0 .. itemCount)}
   * @param key seeds the negatives (the same key gives the same difficulties)
   * @param loss the cross-entropy (self-paced) instead of minus the margin (teacher)
   */
  static double[] of(SasrecNetwork network, List<SasrecSteps.Window> windows, int itemCount, long key, boolean loss) {
    int n = windows.size();
    double[] out = new double[n];
    if (n == 0) {
      return out;
    }
    int c = network.channels();
    int items = Math.min(itemCount, network.items());
    int k = Math.max(1, Math.min(NEGATIVES, items));
    int[] negatives = new int[k];
    SplittableRandom random = new SplittableRandom(key);
    for (int j = 0; j < k; j++) {
      negatives[j] = k == items ? j : random.nextInt(items);
    }
    float[] p = network.params().values();
    float[] negativeTable = new float[k * c];
    for (int j = 0; j < k; j++) {
      System.arraycopy(p, network.itemRow(negatives[j]), negativeTable, j * c, c);
    }
    // windows of similar length share a pass, so little of it is padding
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(windows.get(a).length(), windows.get(b).length()));
    int maxLength = network.maxLength();
    SasrecNetwork.Workspace ws = network.workspace(BATCH, false, 1);
    float[] logits = new float[BATCH * maxLength * k];
    for (int from = 0; from < n; from += BATCH) {
      int size = Math.min(BATCH, n - from);
      int time = 1;
      for (int b = 0; b < size; b++) {
        time = Math.max(time, Math.min(maxLength, windows.get(order[from + b]).length()));
      }
      for (int b = 0; b < size; b++) {
        SasrecSteps.Window w = windows.get(order[from + b]);
        // a window longer than the network reads (none in training) is read from its newest inputs
        int len = Math.min(time, w.length());
        int first = w.end() - len;
        int base = b * time;
        Arrays.fill(ws.ids, base, base + time - len, Embedding.PADDING);
        for (int t = 0; t < len; t++) {
          int id = w.items()[first + t];
          ws.ids[base + time - len + t] = id < network.items() ? id : Embedding.PADDING;
        }
        ws.lengths[b] = len;
      }
      network.forward(ws, size, time, false, 0, 0);
      VectorOps.matMulTransB(ws.hidden, 0, negativeTable, 0, logits, 0, size * time, c, k, false);
      for (int b = 0; b < size; b++) {
        SasrecSteps.Window w = windows.get(order[from + b]);
        int len = Math.min(time, w.length());
        int first = w.end() - len;
        double sum = 0;
        int targets = 0;
        for (int t = 0; t < len; t++) {
          int at = first + t + 1;
          if (at >= w.items().length || w.items()[at] >= network.items()) {
            continue;
          }
          int target = w.items()[at];
          int r = b * time + time - len + t;
          double positive = VectorOps.dot(ws.hidden, r * c, p, network.itemRow(target), c);
          sum += loss ? crossEntropy(logits, r * k, k, negatives, target, positive)
              : -margin(logits, r * k, k, negatives, target, positive);
          targets++;
        }
        out[order[from + b]] = targets == 0 ? 0 : sum / targets;
      }
    }
    return out;
  }

  /** {@code lse(s_t, s_j …) − s_t} over the negatives other than the target. */
  private static double crossEntropy(float[] logits, int row, int k, int[] negatives, int target, double positive) {
    double max = positive;
    for (int j = 0; j < k; j++) {
      if (negatives[j] != target) {
        max = Math.max(max, logits[row + j]);
      }
    }
    double sum = Math.exp(positive - max);
    for (int j = 0; j < k; j++) {
      if (negatives[j] != target) {
        sum += Math.exp(logits[row + j] - max);
      }
    }
    return max + Math.log(sum) - positive;
  }

  /** {@code s_t − mean_j s_j} over the negatives other than the target. */
  private static double margin(float[] logits, int row, int k, int[] negatives, int target, double positive) {
    double sum = 0;
    int count = 0;
    for (int j = 0; j < k; j++) {
      if (negatives[j] != target) {
        sum += logits[row + j];
        count++;
      }
    }
    return count == 0 ? 0 : positive - sum / count;
  }
}
