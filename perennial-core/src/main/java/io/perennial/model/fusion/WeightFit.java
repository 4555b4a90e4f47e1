package io.perennial.model.fusion;

import java.util.Arrays;
import java.util.List;

/**
 * Linear stacking: the member weights that maximise the mean NDCG@k of the fused ranking over
 * validation users, found by coordinate ascent. NDCG is piecewise constant in the weights, so a
 * gradient says nothing; instead each weight in turn is tried at multiples of its value (and, when
 * 0, at fractions of the others' mean) and the best kept, until a full pass improves nothing.
 * Ranking is unchanged by scaling all weights, so the result is normalised to sum to 1.
 */
final class WeightFit {

  private static final float[] STEPS = {0f, 0.25f, 0.5f, 0.7f, 0.85f, 1.2f, 1.5f, 2f, 4f};
  private static final int MAX_PASSES = 20;

  /** One validation user: candidates calibrated by every member, and which candidates are relevant. */
  record Example(Calibrated calibrated, boolean[] relevant, int relevantTotal) {}

  /** Weights (summing to 1) and the validation NDCG they reach, against equal weights'. */
  record Fit(float[] weights, double ndcg, double equalNdcg, int passes) {}

  private WeightFit() {}

  static Fit fit(List<Example> examples, int members, int k) {
    float[] w = new float[members];
    Arrays.fill(w, 1f / members);
    double equal = ndcg(examples, w, k);
    double best = equal;
    int passes = 0;
    boolean improved = true;
    while (improved && passes < MAX_PASSES) {
      improved = false;
      passes++;
      for (int m = 0; m < members; m++) {
        float current = w[m];
        float chosen = current;
        for (float candidate : trials(w, m)) {
          if (candidate == current) {
            continue;
          }
          w[m] = candidate;
          if (Arrays.stream(toDouble(w)).allMatch(x -> x == 0)) {
            continue;
          }
          double value = ndcg(examples, w, k);
          if (value > best + 1e-9) {
            best = value;
            chosen = candidate;
            improved = true;
          }
        }
        w[m] = chosen;
      }
    }
    return new Fit(normalised(w), best, equal, passes);
  }

  private static float[] trials(float[] w, int m) {
    float[] out = new float[STEPS.length];
    float base = w[m];
    if (base == 0) {
      double others = 0;
      for (int j = 0; j < w.length; j++) {
        others += j == m ? 0 : w[j];
      }
      base = (float) (others / Math.max(1, w.length - 1));
    }
    for (int s = 0; s < STEPS.length; s++) {
      out[s] = base * STEPS[s];
    }
    return out;
  }

  /** Mean NDCG@k over the examples of the ranking by {@code Σ w_m · value_m}. */
  static double ndcg(List<Example> examples, float[] w, int k) {
    double sum = 0;
    for (Example e : examples) {
      sum += ndcg(e, w, k);
    }
    return examples.isEmpty() ? 0 : sum / examples.size();
  }

  private static double ndcg(Example e, float[] w, int k) {
    Calibrated c = e.calibrated();
    int n = c.items.length;
    int top = Math.min(k, n);
    // the top k by fused score, ties to the smaller candidate position (the smaller item)
    int[] best = new int[top];
    float[] bestScore = new float[top];
    int size = 0;
    for (int i = 0; i < n; i++) {
      float s = 0;
      for (int m = 0; m < w.length; m++) {
        s += w[m] * c.values[m][i];
      }
      if (size < top) {
        int p = size++;
        while (p > 0 && bestScore[p - 1] < s) {
          best[p] = best[p - 1];
          bestScore[p] = bestScore[p - 1];
          p--;
        }
        best[p] = i;
        bestScore[p] = s;
      } else if (top > 0 && s > bestScore[top - 1]) {
        int p = top - 1;
        while (p > 0 && bestScore[p - 1] < s) {
          best[p] = best[p - 1];
          bestScore[p] = bestScore[p - 1];
          p--;
        }
        best[p] = i;
        bestScore[p] = s;
      }
    }
    double dcg = 0;
    for (int r = 0; r < size; r++) {
      if (e.relevant()[best[r]]) {
        dcg += 1 / log2(r + 2);
      }
    }
    double ideal = 0;
    for (int r = 0; r < Math.min(k, e.relevantTotal()); r++) {
      ideal += 1 / log2(r + 2);
    }
    return ideal == 0 ? 0 : dcg / ideal;
  }

  private static double log2(int x) {
    return Math.log(x) / Math.log(2);
  }

  private static double[] toDouble(float[] w) {
    double[] d = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      d[i] = w[i];
    }
    return d;
  }

  static float[] normalised(float[] w) {
    double sum = 0;
    for (float x : w) {
      sum += x;
    }
    float[] out = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = sum > 0 ? (float) (w[i] / sum) : 1f / w.length;
    }
    return out;
  }
}
