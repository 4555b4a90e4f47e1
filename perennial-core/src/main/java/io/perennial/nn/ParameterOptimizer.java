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
 */
public final class ParameterOptimizer {
  private final ParameterSet params;
  private final List<Tensor> tensors;
  private final Optimizer[] optimizers;
  private final double maxGradNorm;

  /** {@code maxGradNorm}: global-norm clipping bar, 0 for none. */
  public ParameterOptimizer(ParameterSet params, OptimizerConfig config, double maxGradNorm) {
    if (maxGradNorm < 0) {
      throw new IllegalArgumentException("maxGradNorm must be >= 0");
    }
    this.params = params;
    this.tensors = params.tensors();
    this.optimizers = new Optimizer[tensors.size()];
    this.maxGradNorm = maxGradNorm;
    for (int i = 0; i < optimizers.length; i++) {
      Tensor t = tensors.get(i);
      OptimizerConfig c = t.decays() ? config : config.withWeightDecay(0);
      optimizers[i] = new Optimizer(c, t.rows(), t.cols());
    }
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
      if (t.isTable()) {
        RowSet rows = params.touched(t);
        float lr = opt.currentRate();
        for (int j = 0; j < rows.size(); j++) {
          int row = rows.get(j);
          opt.updateRow(values, t.offset(), row, grads, t.offset() + row * t.cols(), lr);
        }
      } else {
        opt.stepDense(values, t.offset(), grads, t.offset(), t.rows());
      }
      opt.advance();
    }
    params.applyMask();
    params.zeroGrad();
    return norm;
  }
}
