package io.perennial.nn;

import io.perennial.optim.Optimizer;
import io.perennial.optim.OptimizerConfig;
import java.util.List;

/**
 * Connects {@link io.perennial.optim.Optimizer} to a {@link ParameterSet}: one optimiser (and its
 * state) per tensor, so a dense tensor takes one dense step over all its rows and an embedding
 * table updates only the rows its {@link RowSet} recorded (Adam's lazy variant: untouched rows
 * keep their value and moments). Tensors that do not decay (biases, LayerNorm) get the config
 * without weight decay, as AdamW is usually run. Optional global-norm clipping over the whole set
 * runs before the step; the config's own per-row {@code clipNorm} would clip each tensor row
 * separately, so leave it at 0 and clip here.
 *
 * <p>Learning-rate scales ({@link #setScale}, {@link #setRowScale}) multiply the rate of a whole
 * tensor or of single table rows: what fine-tuning a warm-started network needs (a ratio for the
 * transferred parameters, 0 for frozen ones). A parameter whose scale is 0 is skipped by the step,
 * so it stays bit for bit as it was, optimiser state included.
 */
public final class ParameterOptimizer {
  private final ParameterSet params;
  private final List<Tensor> tensors;
  private final Optimizer[] optimizers;
  private final double maxGradNorm;
  /** Per-tensor learning-rate scale, 1 unless set. */
  private final float[] scales;
  /** Per-row learning-rate scales of the tables that have any set, else null. */
  private final float[][] rowScales;

  /** {@code maxGradNorm}: global-norm clipping bar, 0 for none. */
  public ParameterOptimizer(ParameterSet params, OptimizerConfig config, double maxGradNorm) {
    if (maxGradNorm < 0) {
      throw new IllegalArgumentException("maxGradNorm must be >= 0");
    }
    this.params = params;
    this.tensors = params.tensors();
    this.optimizers = new Optimizer[tensors.size()];
    this.maxGradNorm = maxGradNorm;
    this.scales = new float[tensors.size()];
    java.util.Arrays.fill(scales, 1f);
    this.rowScales = new float[tensors.size()][];
    for (int i = 0; i < optimizers.length; i++) {
      Tensor t = tensors.get(i);
      OptimizerConfig c = t.decays() ? config : config.withWeightDecay(0);
      optimizers[i] = new Optimizer(c, t.rows(), t.cols());
    }
  }

  /** Scales the learning rate of {@code t} by {@code scale} from the next step on (0: frozen). */
  public void setScale(Tensor t, float scale) {
    scales[indexOf(t)] = checkedScale(scale);
  }

  /** Scales the learning rate of row {@code row} of table {@code t} (on top of the tensor's scale). */
  public void setRowScale(Tensor t, int row, float scale) {
    int i = indexOf(t);
    if (!t.isTable()) {
      throw new IllegalArgumentException(t.name() + " is not an embedding table: scale it whole");
    }
    java.util.Objects.checkIndex(row, t.rows());
    if (rowScales[i] == null) {
      rowScales[i] = new float[t.rows()];
      java.util.Arrays.fill(rowScales[i], 1f);
    }
    rowScales[i][row] = checkedScale(scale);
  }

  /** Puts every learning-rate scale back to 1. */
  public void clearScales() {
    java.util.Arrays.fill(scales, 1f);
    java.util.Arrays.fill(rowScales, null);
  }

  /** The learning-rate scale of {@code t} as a whole. */
  public float scale(Tensor t) {
    return scales[indexOf(t)];
  }

  private int indexOf(Tensor t) {
    int i = tensors.indexOf(t);
    if (i < 0) {
      throw new IllegalArgumentException(t.name() + " is not a parameter of this optimiser's set");
    }
    return i;
  }

  private static float checkedScale(float scale) {
    if (!(scale >= 0) || !Float.isFinite(scale)) {
      throw new IllegalArgumentException("a learning-rate scale must be a number >= 0, got " + scale);
    }
    return scale;
  }

  /** Learning rate of the coming step. */
  public float currentRate() {
    return optimizers.length == 0 ? 0f : optimizers[0].currentRate();
  }

  /**
   * Clips (if configured), updates every dense tensor and every touched table row, puts pruned
   * weights back to zero ({@link PruneMask}), moves the schedules on and zeroes the gradients.
   *
   * @return the global gradient norm before clipping
   */
  public double step() {
    double norm = maxGradNorm > 0 ? params.clipGradNorm(maxGradNorm) : Math.sqrt(params.gradSquaredNorm());
    float[] values = params.values();
    float[] grads = params.grads();
    for (int i = 0; i < optimizers.length; i++) {
      Tensor t = tensors.get(i);
      Optimizer opt = optimizers[i];
      float scale = scales[i];
      if (scale == 0f) {
        // frozen: not even weight decay or a moment update touches it
      } else if (t.isTable()) {
        RowSet rows = params.touched(t);
        float lr = opt.currentRate() * scale;
        float[] byRow = rowScales[i];
        for (int j = 0; j < rows.size(); j++) {
          int row = rows.get(j);
          float rowRate = byRow == null ? lr : lr * byRow[row];
          if (rowRate != 0f) {
            opt.updateRow(values, t.offset(), row, grads, t.offset() + row * t.cols(), rowRate);
          }
        }
      } else {
        opt.stepDense(values, t.offset(), grads, t.offset(), t.rows(), opt.currentRate() * scale);
      }
      opt.advance();
    }
    params.applyMask();
    params.zeroGrad();
    return norm;
  }
}
