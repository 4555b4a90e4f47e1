package io.perennial.model.sasrec;

/**
 * NT-Xent (InfoNCE) over two augmented views of each sequence in a batch, as in CL4SRec: rows
 * {@code i} and {@code i + B} of a {@code 2B × d} matrix are the two views of sequence {@code i};
 * each row is pulled towards its partner and pushed away from the other {@code 2B − 2} rows.
 * Similarity is the dot product divided by the temperature τ (CL4SRec's reference setting).
 *
 * <p>The gradient is derived by hand: with {@code s(a,k) = z_a·z_k / τ} and {@code P(a,k)} the
 * softmax of {@code s(a,·)} over {@code k ≠ a}, {@code ∂L/∂s(a,k) = (P(a,k) − [k = partner(a)]) / 2B},
 * which reaches both {@code z_a} (times {@code z_k / τ}) and {@code z_k} (times {@code z_a / τ}).
 */
public final class ContrastiveLoss {

  private ContrastiveLoss() {}

  /**
   * The mean NT-Xent loss over the {@code 2B} rows, adding its gradient into {@code grad} (same
   * layout as {@code views}: row-major {@code 2B × dim}) when {@code grad} is not {@code null}.
   */
  public static double loss(float[] views, int rows, int dim, float temperature, float[] grad) {
    if (rows < 2 || rows % 2 != 0 || views.length < rows * dim) {
      throw new IllegalArgumentException("need an even number (>= 2) of rows of " + dim + " values, got " + rows);
    }
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    int half = rows / 2;
    double[] sims = new double[rows];
    double total = 0;
    for (int a = 0; a < rows; a++) {
      int partner = a < half ? a + half : a - half;
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < rows; k++) {
        if (k == a) {
          continue;
        }
        double s = 0;
        for (int j = 0; j < dim; j++) {
          s += (double) views[a * dim + j] * views[k * dim + j];
        }
        sims[k] = s / temperature;
        max = Math.max(max, sims[k]);
      }
      double sum = 0;
      for (int k = 0; k < rows; k++) {
        if (k != a) {
          sum += Math.exp(sims[k] - max);
        }
      }
      double logSum = max + Math.log(sum);
      total += logSum - sims[partner];
      if (grad == null) {
        continue;
      }
      for (int k = 0; k < rows; k++) {
        if (k == a) {
          continue;
        }
        double g = (Math.exp(sims[k] - logSum) - (k == partner ? 1 : 0)) / rows / temperature;
        for (int j = 0; j < dim; j++) {
          grad[a * dim + j] += (float) (g * views[k * dim + j]);
          grad[k * dim + j] += (float) (g * views[a * dim + j]);
        }
      }
    }
    return total / rows;
  }
}
