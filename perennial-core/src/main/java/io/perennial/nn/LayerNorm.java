package io.perennial.nn;

/**
 * Layer normalisation over the channels of each row (Ba et al. 2016): {@code out = (x - μ) · rstd
 * · w + b} with {@code rstd = 1/√(σ² + ε)}. Shapes: inp, out {@code (BT, C)}; w, b {@code (C)};
 * the cache mean, rstd {@code (BT)} is written by forward and read by backward.
 */
public final class LayerNorm {
  /** ε as in GPT-2 and SASRec's implementations. */
  public static final float EPS = 1e-5f;

  private final Tensor weight;
  private final Tensor bias;
  private final int c;

  public LayerNorm(ParameterSet.Builder params, String name, int c) {
    this.c = c;
    this.weight = params.dense(name + ".weight", false, c);
    this.bias = params.dense(name + ".bias", false, c);
  }

  public Tensor weight() {
    return weight;
  }

  public Tensor bias() {
    return bias;
  }

  /** w = 1, b = 0: the identity after normalisation. */
  public void init(ParameterSet p) {
    p.fill(weight, 1f);
    p.fill(bias, 0f);
  }

  /** out (BT, C), mean (BT), rstd (BT) from inp (BT, C). */
  public void forward(float[] params, float[] out, int outOff, float[] mean, float[] rstd, int cacheOff,
      float[] inp, int inpOff, int bt) {
    int w = weight.offset();
    int b = bias.offset();
    for (int r = 0; r < bt; r++) {
      int x = inpOff + r * c;
      // two passes (mean, then variance about it): the one-pass Σx² − μ² loses digits in float
      float m = 0;
      for (int i = 0; i < c; i++) {
        m += inp[x + i];
      }
      m /= c;
      float var = 0;
      for (int i = 0; i < c; i++) {
        float d = inp[x + i] - m;
        var += d * d;
      }
      var /= c;
      float s = (float) (1 / Math.sqrt(var + EPS));
      int o = outOff + r * c;
      for (int i = 0; i < c; i++) {
        out[o + i] = (inp[x + i] - m) * s * params[w + i] + params[b + i];
      }
      mean[cacheOff + r] = m;
      rstd[cacheOff + r] = s;
    }
  }

  /**
   * Accumulates dinp, dw, db. In the forward pass {@code n = (x - μ)·rstd} and {@code out = n·w + b},
   * so {@code db += dout}, {@code dw += dout·n}, and with {@code dn = dout·w}: {@code dx = rstd·(dn -
   * mean(dn) - n·mean(dn·n))} (μ and rstd depend on every x of the row).
   */
  public void backward(float[] params, float[] dparams, float[] dinp, int dinpOff, float[] dout, int doutOff,
      float[] inp, int inpOff, float[] mean, float[] rstd, int cacheOff, int bt) {
    int w = weight.offset();
    int b = bias.offset();
    for (int r = 0; r < bt; r++) {
      int x = inpOff + r * c;
      int o = doutOff + r * c;
      float m = mean[cacheOff + r];
      float s = rstd[cacheOff + r];
      float dnMean = 0;
      float dnDotN = 0;
      for (int i = 0; i < c; i++) {
        float n = (inp[x + i] - m) * s;
        float dn = dout[o + i] * params[w + i];
        dnMean += dn;
        dnDotN += dn * n;
      }
      dnMean /= c;
      dnDotN /= c;
      int dx = dinpOff + r * c;
      for (int i = 0; i < c; i++) {
        float n = (inp[x + i] - m) * s;
        float dn = dout[o + i] * params[w + i];
        dparams[b + i] += dout[o + i];
        dparams[w + i] += dout[o + i] * n;
        dinp[dx + i] += s * (dn - dnMean - n * dnDotN);
      }
    }
  }
}
