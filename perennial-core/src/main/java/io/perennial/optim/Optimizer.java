package io.perennial.optim;

import io.perennial.kernel.VectorOps;
import java.util.Arrays;
import java.util.Objects;

/**
 * Updates the rows of one row-major parameter table ({@code rows × dim} floats) from gradients.
 *
 * <p>Per-row state (moments, accumulators, and for Adam a per-row step count for bias correction)
 * lives here, so {@link #updateRow} is lazy: a row untouched by a step keeps its value and its
 * state, which is what embedding tables need (Adam's "lazy" variant). {@link #stepDense} updates
 * every row as a dense optimiser would.
 *
 * <p>Concurrency: different threads may update different rows at once (lock-free, as BPR's
 * Hogwild-style training does); concurrent updates of one row race benignly on floats.
 */
public final class Optimizer {

  private final OptimizerConfig config;
  private final int dim;
  private float[] first;
  private float[] second;
  private int[] rowSteps;
  private long step;
  /**
   * Adam's bias corrections {@code 1 − β₁ᵗ} and {@code 1 − β₂ᵗ} for the first row steps, filled on
   * first use (0 = not yet): two {@code Math.pow} per row update cost as much as a 64-wide row's
   * arithmetic. Concurrent fills of one entry write the same value, so the race is benign.
   */
  private final float[] correction1 = new float[CORRECTION_CACHE];
  private final float[] correction2 = new float[CORRECTION_CACHE];

  private static final int CORRECTION_CACHE = 1024;

  public Optimizer(OptimizerConfig config, int rows, int dim) {
    if (rows < 0 || dim <= 0) {
      throw new IllegalArgumentException("rows must be >= 0 and dim > 0");
    }
    this.config = config;
    this.dim = dim;
    OptimizerKind kind = config.kind();
    if (kind != OptimizerKind.SGD) {
      first = new float[rows * dim];
    }
    if (kind == OptimizerKind.ADAM) {
      second = new float[rows * dim];
      rowSteps = new int[rows];
    }
  }

  public OptimizerConfig config() {
    return config;
  }

  /** Grows the state to {@code rows} rows; new rows start with empty state. */
  public void ensureRows(int rows) {
    if (first != null && first.length < rows * dim) {
      first = Arrays.copyOf(first, rows * dim);
    }
    if (second != null && second.length < rows * dim) {
      second = Arrays.copyOf(second, rows * dim);
      rowSteps = Arrays.copyOf(rowSteps, rows);
    }
  }

  /** Learning rate at the current step. */
  public float currentRate() {
    return config.schedule().rate(config.learningRate(), step);
  }

  /** Steps taken (epochs or batches, as the caller counts them). */
  public long step() {
    return step;
  }

  /** Moves the schedule on by one step. */
  public void advance() {
    step++;
  }

  /**
   * Applies {@code grad[gradOffset .. gradOffset+dim)} (the loss gradient) to row {@code row} of
   * {@code table}. The gradient array is modified (clipped, L2 added).
   */
  public void updateRow(float[] table, int row, float[] grad, int gradOffset) {
    updateRow(table, row, grad, gradOffset, currentRate());
  }

  /** As {@link #updateRow(float[], int, float[], int)} with an explicit rate (hot loops hoist it). */
  public void updateRow(float[] table, int row, float[] grad, int gradOffset, float lr) {
    updateRow(table, 0, row, grad, gradOffset, lr);
  }

  /**
   * As {@link #updateRow(float[], int, float[], int, float)} for a table that starts at {@code
   * tableOffset} inside a larger array (a view into one contiguous parameter allocation): row
   * {@code row} is {@code table[tableOffset + row·dim ..)}; the optimiser state is indexed by
   * {@code row} alone.
   */
  public void updateRow(float[] table, int tableOffset, int row, float[] grad, int gradOffset, float lr) {
    int state = row * dim;
    int base = tableOffset + state;
    prepareGradient(table, base, grad, gradOffset);
    switch (config.kind()) {
      case SGD -> {
        for (int d = 0; d < dim; d++) {
          table[base + d] -= lr * grad[gradOffset + d];
        }
      }
      case MOMENTUM, NESTEROV -> {
        float mu = config.momentum();
        boolean nesterov = config.kind() == OptimizerKind.NESTEROV;
        for (int d = 0; d < dim; d++) {
          float g = grad[gradOffset + d];
          float v = mu * first[state + d] + g;
          first[state + d] = v;
          table[base + d] -= lr * (nesterov ? g + mu * v : v);
        }
      }
      case ADAGRAD -> {
        float eps = config.epsilon();
        for (int d = 0; d < dim; d++) {
          float g = grad[gradOffset + d];
          float acc = first[state + d] + g * g;
          first[state + d] = acc;
          table[base + d] -= lr * g / ((float) Math.sqrt(acc) + eps);
        }
      }
      case RMSPROP -> {
        float rho = config.beta2();
        float eps = config.epsilon();
        for (int d = 0; d < dim; d++) {
          float g = grad[gradOffset + d];
          float acc = rho * first[state + d] + (1 - rho) * g * g;
          first[state + d] = acc;
          table[base + d] -= lr * g / ((float) Math.sqrt(acc) + eps);
        }
      }
      case ADAM -> {
        float b1 = config.beta1();
        float b2 = config.beta2();
        float eps = config.epsilon();
        int t = ++rowSteps[row];
        float c1 = correction(correction1, b1, t);
        float c2 = correction(correction2, b2, t);
        VectorOps.adam(table, base, first, second, state, grad, gradOffset, dim, b1, b2, lr, c1, c2, eps);
      }
      default -> throw new IllegalStateException("unhandled " + config.kind());
    }
    float decay = config.weightDecay();
    if (decay > 0) {
      float keep = 1 - lr * decay;
      for (int d = 0; d < dim; d++) {
        table[base + d] *= keep;
      }
    }
  }

  /** Dense step: every row of {@code table} gets its slice of {@code grad} (same shape). */
  public void stepDense(float[] table, float[] grad) {
    if (grad.length != table.length || table.length % dim != 0) {
      throw new IllegalArgumentException("gradient and table shapes differ");
    }
    float lr = currentRate();
    for (int row = 0; row < table.length / dim; row++) {
      updateRow(table, row, grad, row * dim, lr);
    }
  }

  /**
   * Dense step over a table view: rows {@code 0 .. rows)} of the table at {@code tableOffset} get
   * the gradient rows at {@code gradOffset} (same row-major layout).
   */
  public void stepDense(float[] table, int tableOffset, float[] grad, int gradOffset, int rows) {
    stepDense(table, tableOffset, grad, gradOffset, rows, currentRate());
  }

  /** As {@link #stepDense(float[], int, float[], int, int)} at rate {@code lr} (a scaled rate). */
  public void stepDense(float[] table, int tableOffset, float[] grad, int gradOffset, int rows, float lr) {
    Objects.checkFromIndexSize(tableOffset, rows * dim, table.length);
    Objects.checkFromIndexSize(gradOffset, rows * dim, grad.length);
    for (int row = 0; row < rows; row++) {
      updateRow(table, tableOffset, row, grad, gradOffset + row * dim, lr);
    }
  }

  private static float correction(float[] cache, float beta, int t) {
    if (t >= cache.length) {
      return 1 - (float) Math.pow(beta, t);
    }
    float c = cache[t];
    if (c == 0) {
      c = 1 - (float) Math.pow(beta, t);
      cache[t] = c;
    }
    return c;
  }

  private void prepareGradient(float[] table, int base, float[] grad, int offset) {
    float clipValue = config.clipValue();
    float l2 = config.l2();
    float clipNorm = config.clipNorm();
    if (clipValue <= 0 && clipNorm <= 0 && l2 <= 0) {
      return;
    }
    double squared = 0;
    for (int d = 0; d < dim; d++) {
      float g = grad[offset + d];
      if (clipValue > 0) {
        g = Math.max(-clipValue, Math.min(clipValue, g));
      }
      grad[offset + d] = g;
      squared += (double) g * g;
    }
    if (clipNorm > 0 && squared > (double) clipNorm * clipNorm) {
      float scale = (float) (clipNorm / Math.sqrt(squared));
      for (int d = 0; d < dim; d++) {
        grad[offset + d] *= scale;
      }
    }
    if (l2 > 0) {
      for (int d = 0; d < dim; d++) {
        grad[offset + d] += l2 * table[base + d];
      }
    }
  }
}
