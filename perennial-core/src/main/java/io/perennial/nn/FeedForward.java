package io.perennial.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Point-wise feed-forward block {@code out = Linear₂(dropout(f(Linear₁(inp))))}, with f GELU or
 * ReLU, applied to every row alone (the transformer FFN). Shapes: inp, out {@code (BT, C)}; the
 * hidden width is FC. The cache {@code (4, BT, FC)} holds the pre-activation, the activation, the
 * dropout mask and the dropped activation; the backward scratch is {@code (2, BT, FC)}. Both are
 * the caller's buffers, sized once for the largest BT.
 */
public final class FeedForward {
  private final Linear in;
  private final Linear out;
  private final Activation activation;
  private final Dropout dropout;
  private final int fc;

  public FeedForward(ParameterSet.Builder params, String name, int c, int fc, Activation activation,
      Dropout dropout) {
    this.in = new Linear(params, name + ".in", c, fc, true);
    this.out = new Linear(params, name + ".out", fc, c, true);
    this.activation = activation;
    this.dropout = dropout;
    this.fc = fc;
  }

  public Linear in() {
    return in;
  }

  public Linear out() {
    return out;
  }

  /** Floats of cache needed for {@code bt} rows. */
  public int cacheSize(int bt) {
    return 4 * bt * fc;
  }

  /** Floats of backward scratch needed for {@code bt} rows. */
  public int scratchSize(int bt) {
    return 2 * bt * fc;
  }

  public void init(ParameterSet p, SplittableRandom rng) {
    in.init(p, rng);
    out.init(p, rng);
  }

  /** out (BT, C) from inp (BT, C); writes the cache. {@code key}: the dropout key (see {@link Dropout}). */
  public void forward(float[] params, float[] outp, int outOff, float[] cache, int cacheOff, float[] inp,
      int inpOff, int bt, long key, boolean training) {
    int n = bt * fc;
    int pre = cacheOff;
    int act = pre + n;
    int mask = act + n;
    int dropped = mask + n;
    in.forward(params, cache, pre, inp, inpOff, bt);
    activation.forward(cache, act, cache, pre, n);
    dropout.forward(cache, dropped, cache, mask, cache, act, n, key, training);
    out.forward(params, outp, outOff, cache, dropped, bt);
  }

  /** Accumulates dinp (BT, C) and the parameter gradients from dout (BT, C), in reverse forward order. */
  public void backward(float[] params, float[] dparams, float[] dinp, int dinpOff, float[] dout, int doutOff,
      float[] inp, int inpOff, float[] cache, int cacheOff, float[] scratch, int scratchOff, int bt) {
    int n = bt * fc;
    int pre = cacheOff;
    int mask = pre + 2 * n;
    int dropped = mask + n;
    int dDropped = scratchOff;
    int dPre = scratchOff + n;
    Arrays.fill(scratch, scratchOff, scratchOff + 2 * n, 0f);
    out.backward(params, dparams, scratch, dDropped, dout, doutOff, cache, dropped, bt);
    // dropout then activation: dAct = dDropped · mask is folded into the activation's upstream
    for (int i = 0; i < n; i++) {
      scratch[dDropped + i] *= cache[mask + i];
    }
    activation.backward(scratch, dPre, scratch, dDropped, cache, pre, n);
    in.backward(params, dparams, dinp, dinpOff, scratch, dPre, inp, inpOff, bt);
  }
}
