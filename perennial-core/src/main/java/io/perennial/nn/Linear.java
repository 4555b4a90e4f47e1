package io.perennial.nn;

import io.perennial.kernel.VectorOps;
import java.util.SplittableRandom;

/**
 * Fully connected layer {@code out = inp · Wᵀ + b}, with W {@code (OC, C)} as in PyTorch and
 * llm.c (each output channel's weights are one contiguous row). Shapes: inp {@code (BT, C)}, out
 * {@code (BT, OC)}, W {@code (OC, C)}, b {@code (OC)}.
 */
public final class Linear {
  private final Tensor weight;
  private final Tensor bias;
  private final int c;
  private final int oc;

  /** Registers {@code name.weight} and, if {@code withBias}, {@code name.bias}. */
  public Linear(ParameterSet.Builder params, String name, int c, int oc, boolean withBias) {
    this.c = c;
    this.oc = oc;
    this.weight = params.dense(name + ".weight", true, oc, c);
    this.bias = withBias ? params.dense(name + ".bias", false, oc) : null;
  }

  public Tensor weight() {
    return weight;
  }

  /** The bias view, or null. */
  public Tensor bias() {
    return bias;
  }

  public int inChannels() {
    return c;
  }

  public int outChannels() {
    return oc;
  }

  /** PyTorch's default: W and b uniform in {@code ±1/√C}. */
  public void init(ParameterSet p, SplittableRandom rng) {
    float bound = (float) (1 / Math.sqrt(c));
    p.uniform(weight, bound, rng);
    if (bias != null) {
      p.uniform(bias, bound, rng);
    }
  }

  /** out (BT, OC) = inp (BT, C) · Wᵀ + b; nothing cached (backward needs inp, which the caller keeps). */
  public void forward(float[] params, float[] out, int outOff, float[] inp, int inpOff, int bt) {
    VectorOps.matMulTransB(inp, inpOff, params, weight.offset(), out, outOff, bt, c, oc, false);
    if (bias != null) {
      int b = bias.offset();
      for (int r = 0; r < bt; r++) {
        int o = outOff + r * oc;
        for (int j = 0; j < oc; j++) {
          out[o + j] += params[b + j];
        }
      }
    }
  }

  /**
   * Accumulates dinp (BT, C), dW (OC, C) and db (OC) from dout (BT, OC). In the forward pass {@code
   * out[r][j] = Σ_i inp[r][i] W[j][i] + b[j]}, so {@code dinp = dout · W}, {@code dW = doutᵀ · inp},
   * {@code db[j] = Σ_r dout[r][j]}. {@code dinp} may be null when the input needs no gradient.
   */
  public void backward(float[] params, float[] dparams, float[] dinp, int dinpOff, float[] dout, int doutOff,
      float[] inp, int inpOff, int bt) {
    if (dinp != null) {
      VectorOps.matMul(dout, doutOff, params, weight.offset(), dinp, dinpOff, bt, oc, c, true);
    }
    VectorOps.matMulTransA(dout, doutOff, inp, inpOff, dparams, weight.offset(), oc, bt, c, true);
    if (bias != null) {
      int b = bias.offset();
      for (int r = 0; r < bt; r++) {
        int o = doutOff + r * oc;
        for (int j = 0; j < oc; j++) {
          dparams[b + j] += dout[o + j];
        }
      }
    }
  }
}
