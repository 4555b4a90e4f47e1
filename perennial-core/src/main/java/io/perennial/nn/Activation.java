package io.perennial.nn;

/**
 * Point-wise non-linearities, forward and backward side by side. Shapes: inp, out and their
 * gradients {@code (N)} (any tensor, flat). Backward reads the forward input, which the caller
 * keeps; out may alias inp in forward.
 */
public enum Activation {
  /** {@code max(0, x)}; its derivative at 0 is taken as 0. */
  RELU {
    @Override
    public void forward(float[] out, int outOff, float[] inp, int inpOff, int n) {
      for (int i = 0; i < n; i++) {
        out[outOff + i] = Math.max(0f, inp[inpOff + i]);
      }
    }

    @Override
    public void backward(float[] dinp, int dinpOff, float[] dout, int doutOff, float[] inp, int inpOff, int n) {
      for (int i = 0; i < n; i++) {
        if (inp[inpOff + i] > 0) {
          dinp[dinpOff + i] += dout[doutOff + i];
        }
      }
    }
  },
  /**
   * GELU with the tanh approximation of GPT-2 and BERT: {@code 0.5·x·(1 + tanh(k·(x + 0.044715·x³)))},
   * {@code k = √(2/π)}. tanh is evaluated in double: {@code Math.tanh} is exact to an ulp, and the
   * derivative below differentiates exactly this formula.
   */
  GELU {
    @Override
    public void forward(float[] out, int outOff, float[] inp, int inpOff, int n) {
      for (int i = 0; i < n; i++) {
        double x = inp[inpOff + i];
        out[outOff + i] = (float) (0.5 * x * (1 + Math.tanh(GELU_K * (x + GELU_A * x * x * x))));
      }
    }

    @Override
    public void backward(float[] dinp, int dinpOff, float[] dout, int doutOff, float[] inp, int inpOff, int n) {
      for (int i = 0; i < n; i++) {
        double x = inp[inpOff + i];
        // forward: 0.5·x·(1 + tanh(u)), u = k(x + a x³); so d/dx = 0.5(1 + tanh u) + 0.5·x·sech²u·k(1 + 3a x²)
        double t = Math.tanh(GELU_K * (x + GELU_A * x * x * x));
        double sech2 = 1 - t * t;
        double grad = 0.5 * (1 + t) + 0.5 * x * sech2 * GELU_K * (1 + 3 * GELU_A * x * x);
        dinp[dinpOff + i] += (float) (grad * dout[doutOff + i]);
      }
    }
  };

  private static final double GELU_K = Math.sqrt(2 / Math.PI);
  private static final double GELU_A = 0.044715;

  /** out (N) = f(inp) (N). */
  public abstract void forward(float[] out, int outOff, float[] inp, int inpOff, int n);

  /** dinp (N) += f'(inp) · dout (N). */
  public abstract void backward(float[] dinp, int dinpOff, float[] dout, int doutOff, float[] inp, int inpOff,
      int n);
}
