package io.perennial.nn;

/** Residual connection {@code out = a + b}. Shapes: a, b, out {@code (N)}, flat. */
public final class Residual {
  private Residual() {}

  /** out (N) = a (N) + b (N); out may alias a or b. */
  public static void forward(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = a[aOff + i] + b[bOff + i];
    }
  }

  /** In the forward pass out = a + b, so da += dout and db += dout. */
  public static void backward(float[] da, int daOff, float[] db, int dbOff, float[] dout, int doutOff, int n) {
    for (int i = 0; i < n; i++) {
      da[daOff + i] += dout[doutOff + i];
      db[dbOff + i] += dout[doutOff + i];
    }
  }
}
