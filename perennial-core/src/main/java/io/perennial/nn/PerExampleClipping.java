package io.perennial.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The clipped sum of DP-SGD over a {@link ParameterSet}: the caller runs one example's backward
 * into the set's gradient, {@link #addExample()} measures that gradient's norm over every
 * parameter, adds it scaled to at most the clip norm to a running sum and clears the gradient;
 * {@link #noisyGradient} then puts {@code (Σ clipped + N(0, noise²)) / normalizer} into every
 * parameter's gradient, every table row marked touched, for the optimiser to step. Per-example
 * gradients cost one backward per example and a pass over the dense parameters each.
 */
public final class PerExampleClipping {

  private final ParameterSet params;
  private final float clip;
  private final float[] sum;
  private double lastNorm;

  /** Clips every example's gradient to L2 norm {@code clip} over all of {@code params}. */
  public PerExampleClipping(ParameterSet params, float clip) {
    if (!(clip > 0)) {
      throw new IllegalArgumentException("clip norm must be > 0, got " + clip);
    }
    this.params = params;
    this.clip = clip;
    this.sum = new float[params.size()];
  }

  /**
   * Adds the example now in the set's gradient, clipped, to the sum and zeroes the gradient.
   *
   * @return the example's gradient norm before clipping
   */
  public double addExample() {
    lastNorm = Math.sqrt(params.gradSquaredNorm());
    params.accumulateGrad(sum, (float) Math.min(1, clip / Math.max(lastNorm, 1e-30)));
    params.zeroGrad();
    return lastNorm;
  }

  /** The unclipped norm of the last example added. */
  public double lastNorm() {
    return lastNorm;
  }

  /** The clipped sum since the last {@link #noisyGradient} (a live view in the set's layout). */
  public float[] sum() {
    return sum;
  }

  /**
   * Writes {@code (Σ clipped + N(0, noiseStd²)) / normalizer} into every parameter's gradient, marks
   * every table row touched so the optimiser steps all of them (the noise is on every row, so which
   * rows the batch touched stays hidden), and clears the sum.
   */
  public void noisyGradient(float noiseStd, double normalizer, SplittableRandom random) {
    float[] grads = params.grads();
    float inverse = (float) (1 / normalizer);
    for (int x = 0; x < grads.length; x++) {
      grads[x] = (sum[x] + noiseStd * (float) random.nextGaussian()) * inverse;
    }
    for (Tensor t : params.tensors()) {
      if (t.isTable()) {
        params.touched(t).addAll();
      }
    }
    Arrays.fill(sum, 0f);
  }
}
