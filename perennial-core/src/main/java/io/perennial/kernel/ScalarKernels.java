package io.perennial.kernel;

/** Plain-Java loops; always available and the reference the vector path is tested against. */
final class ScalarKernels implements Kernels {

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
    // Four independent accumulators: the CPU can keep several multiply-adds in flight at once.
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
    int i = 0;
    for (; i + 3 < length; i += 4) {
      s0 += a[aOffset + i] * b[bOffset + i];
      s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
      s2 += a[aOffset + i + 2] * b[bOffset + i + 2];
      s3 += a[aOffset + i + 3] * b[bOffset + i + 3];
    }
    for (; i < length; i++) {
      s0 += a[aOffset + i] * b[bOffset + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int length) {
    for (int i = 0; i < length; i++) {
      y[yOffset + i] += alpha * x[xOffset + i];
    }
  }

  @Override
  public void scaledAdd(
      float beta, float[] y, int yOffset, float alpha, float[] x, int xOffset, int length) {
    for (int i = 0; i < length; i++) {
      y[yOffset + i] = beta * y[yOffset + i] + alpha * x[xOffset + i];
    }
  }

  @Override
  public void scale(float alpha, float[] x, int offset, int length) {
    for (int i = 0; i < length; i++) {
      x[offset + i] *= alpha;
    }
  }


}
