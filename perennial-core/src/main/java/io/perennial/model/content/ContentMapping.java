package io.perennial.model.content;

import io.perennial.model.ModelState;

/**
 * A linear map from content vectors to collaborative item vectors, fitted by ridge regression on
 * warm items: {@code W = argmin Σ_i ‖[x_i, 1] W − y_i‖² + λ‖W‖²}, where {@code y_i} is item i's
 * learned vector with its bias as a last column when the model has one. The normal equations
 * {@code (XᵀX + λI) W = XᵀY} are solved by conjugate gradient on the sparse X, one column of W per
 * target column in lockstep, so no {@code d × d} Gram matrix is formed and a vocabulary of
 * thousands of terms costs only its non-zeros.
 */
public final class ContentMapping {

  private final int inputs;
  private final int outputs;
  /** {@code (inputs + 1) × outputs} row-major; the last row is the intercept. */
  private final float[] weights;

  ContentMapping(int inputs, int outputs, float[] weights) {
    if (weights.length != (inputs + 1) * outputs) {
      throw new IllegalArgumentException("mapping weights do not match its shape");
    }
    this.inputs = inputs;
    this.outputs = outputs;
    this.weights = weights;
  }

  /** Columns of the mapped vectors. */
  public int outputs() {
    return outputs;
  }

  /**
   * Fits the map on the items {@code warm}.
   *
   * @param targets {@code items × outputs} row-major, the learned vectors
   * @param lambda ridge penalty (> 0)
   * @param iterations conjugate-gradient steps
   */
  public static ContentMapping fit(ItemFeatures features, int[] warm, float[] targets, int outputs,
      double lambda, int iterations) {
    if (!(lambda > 0)) {
      throw new IllegalArgumentException("ridge lambda must be > 0, got " + lambda);
    }
    int rows = features.dims() + 1;
    // b = Xᵀ Y
    double[] b = new double[rows * outputs];
    double[] xRow = new double[outputs];
    for (int i : warm) {
      int[] cols = features.columnsOf(i);
      float[] vals = features.valuesOf(i);
      for (int n = 0; n < cols.length; n++) {
        for (int o = 0; o < outputs; o++) {
          b[cols[n] * outputs + o] += vals[n] * targets[i * outputs + o];
        }
      }
      for (int o = 0; o < outputs; o++) {
        b[(rows - 1) * outputs + o] += targets[i * outputs + o];
      }
    }
    double[] w = new double[rows * outputs];
    double[] r = b.clone();
    double[] p = b.clone();
    double[] ap = new double[rows * outputs];
    double[] rr = columnDots(r, r, outputs);
    for (int step = 0; step < iterations; step++) {
      normalTimes(features, warm, p, ap, outputs, lambda, xRow);
      double[] pap = columnDots(p, ap, outputs);
      double[] alpha = new double[outputs];
      for (int o = 0; o < outputs; o++) {
        alpha[o] = pap[o] > 0 ? rr[o] / pap[o] : 0;
      }
      for (int k = 0; k < w.length; k++) {
        w[k] += alpha[k % outputs] * p[k];
        r[k] -= alpha[k % outputs] * ap[k];
      }
      double[] next = columnDots(r, r, outputs);
      for (int k = 0; k < p.length; k++) {
        int o = k % outputs;
        p[k] = r[k] + (rr[o] > 0 ? next[o] / rr[o] : 0) * p[k];
      }
      rr = next;
    }
    float[] weights = new float[w.length];
    for (int k = 0; k < w.length; k++) {
      weights[k] = (float) w[k];
    }
    return new ContentMapping(features.dims(), outputs, weights);
  }

  /** {@code out = (XᵀX + λI) v} over the warm rows of X = [features, 1]. */
  private static void normalTimes(ItemFeatures features, int[] warm, double[] v, double[] out, int outputs,
      double lambda, double[] xv) {
    int rows = features.dims() + 1;
    for (int k = 0; k < out.length; k++) {
      out[k] = lambda * v[k];
    }
    for (int i : warm) {
      int[] cols = features.columnsOf(i);
      float[] vals = features.valuesOf(i);
      // xv = [x_i, 1] · V, then out += [x_i, 1]ᵀ xv
      for (int o = 0; o < outputs; o++) {
        xv[o] = v[(rows - 1) * outputs + o];
      }
      for (int n = 0; n < cols.length; n++) {
        int base = cols[n] * outputs;
        for (int o = 0; o < outputs; o++) {
          xv[o] += vals[n] * v[base + o];
        }
      }
      for (int n = 0; n < cols.length; n++) {
        int base = cols[n] * outputs;
        for (int o = 0; o < outputs; o++) {
          out[base + o] += vals[n] * xv[o];
        }
      }
      for (int o = 0; o < outputs; o++) {
        out[(rows - 1) * outputs + o] += xv[o];
      }
    }
  }

  private static double[] columnDots(double[] a, double[] b, int outputs) {
    double[] dots = new double[outputs];
    for (int k = 0; k < a.length; k++) {
      dots[k % outputs] += a[k] * b[k];
    }
    return dots;
  }

  /** {@code out[offset..offset+outputs) = [x_item, 1] W}: the intercept alone for an item without content. */
  public void map(ItemFeatures features, int item, float[] out, int offset) {
    int intercept = inputs * outputs;
    System.arraycopy(weights, intercept, out, offset, outputs);
    if (item >= features.items()) {
      return;
    }
    int[] cols = features.columnsOf(item);
    float[] vals = features.valuesOf(item);
    for (int n = 0; n < cols.length; n++) {
      int base = cols[n] * outputs;
      for (int o = 0; o < outputs; o++) {
        out[offset + o] += vals[n] * weights[base + o];
      }
    }
  }

  void saveTo(ModelState state, String prefix) {
    state.put(prefix + ".shape", new int[] {inputs, outputs});
    state.put(prefix + ".weights", weights);
  }

  static ContentMapping loadFrom(ModelState state, String prefix) {
    int[] shape = state.ints(prefix + ".shape");
    return new ContentMapping(shape[0], shape[1], state.floats(prefix + ".weights"));
  }
}
