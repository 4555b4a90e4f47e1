package io.perennial.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@code jdk.incubator.vector} path. Loaded reflectively by {@link VectorOps} only when the
 * module is in the boot layer, so that the rest of the engine never links against it.
 */
final class SimdKernels implements Kernels {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  /** Below this length the vector set-up costs more than it saves. */
  private static final int MIN_LENGTH = LANES;

  private final ScalarKernels tail = new ScalarKernels();

  @Override
  public String name() {
    return "vector(" + SPECIES.vectorBitSize() + "-bit, " + LANES + " lanes)";
  }

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
    if (length < MIN_LENGTH) {
      return tail.dot(a, aOffset, b, bOffset, length);
    }
    int i = 0;
    float result;
    if (length >= 4 * LANES) {
      // Four independent accumulators so consecutive FMAs do not wait on each other.
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES);
      FloatVector acc3 = FloatVector.zero(SPECIES);
      int bound = length - 4 * LANES;
      for (; i <= bound; i += 4 * LANES) {
        acc0 = FloatVector.fromArray(SPECIES, a, aOffset + i)
            .fma(FloatVector.fromArray(SPECIES, b, bOffset + i), acc0);
        acc1 = FloatVector.fromArray(SPECIES, a, aOffset + i + LANES)
            .fma(FloatVector.fromArray(SPECIES, b, bOffset + i + LANES), acc1);
        acc2 = FloatVector.fromArray(SPECIES, a, aOffset + i + 2 * LANES)
            .fma(FloatVector.fromArray(SPECIES, b, bOffset + i + 2 * LANES), acc2);
        acc3 = FloatVector.fromArray(SPECIES, a, aOffset + i + 3 * LANES)
            .fma(FloatVector.fromArray(SPECIES, b, bOffset + i + 3 * LANES), acc3);
      }
      FloatVector acc = acc0.add(acc1).add(acc2.add(acc3));
      // vector tail
      for (; i <= length - LANES; i += LANES) {
        acc = FloatVector.fromArray(SPECIES, a, aOffset + i)
            .fma(FloatVector.fromArray(SPECIES, b, bOffset + i), acc);
      }
      result = sumLanes(acc);
    } else {
      FloatVector acc = FloatVector.zero(SPECIES);
      for (; i <= length - LANES; i += LANES) {
        acc = FloatVector.fromArray(SPECIES, a, aOffset + i)
            .fma(FloatVector.fromArray(SPECIES, b, bOffset + i), acc);
      }
      result = sumLanes(acc);
    }
    // scalar tail
    for (; i < length; i++) {
      result += a[aOffset + i] * b[bOffset + i];
    }
    return result;
  }

  /** Rotations by LANES/2, LANES/4, …, 1 for the pairwise lane sum. */
  private static final VectorShuffle<Float>[] HALVINGS = halvings();

  @SuppressWarnings("unchecked")
  private static VectorShuffle<Float>[] halvings() {
    int steps = Integer.numberOfTrailingZeros(LANES);
    VectorShuffle<Float>[] out = new VectorShuffle[steps];
    for (int i = 0, shift = LANES / 2; i < steps; i++, shift /= 2) {
      out[i] = VectorShuffle.iota(SPECIES, shift, 1, true);
    }
    return out;
  }

  /**
   * Sums the lanes by a fixed pairwise tree of lane-wise adds. {@code reduceLanes(ADD)} may add in
   * a different order once the JIT compiles it (seen on JDK 25), so the same model would score the
   * same pair differently over time; lane-wise adds are exact IEEE operations in every mode, so
   * this keeps every score bit-identical between interpreted and compiled code.
   */
  private static float sumLanes(FloatVector v) {
    for (VectorShuffle<Float> rotation : HALVINGS) {
      v = v.add(v.rearrange(rotation));
    }
    return v.lane(0);
  }

  @Override
  public float squaredDistance(float[] a, int aOffset, float[] b, int bOffset, int length) {
    if (length < MIN_LENGTH) {
      return tail.squaredDistance(a, aOffset, b, bOffset, length);
    }
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i <= length - 2 * LANES; i += 2 * LANES) {
      FloatVector d0 = FloatVector.fromArray(SPECIES, a, aOffset + i).sub(FloatVector.fromArray(SPECIES, b, bOffset + i));
      FloatVector d1 = FloatVector.fromArray(SPECIES, a, aOffset + i + LANES)
          .sub(FloatVector.fromArray(SPECIES, b, bOffset + i + LANES));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
    }
    for (; i <= length - LANES; i += LANES) {
      FloatVector d = FloatVector.fromArray(SPECIES, a, aOffset + i).sub(FloatVector.fromArray(SPECIES, b, bOffset + i));
      acc0 = d.fma(d, acc0);
    }
    float result = sumLanes(acc0.add(acc1));
    for (; i < length; i++) {
      float d = a[aOffset + i] - b[bOffset + i];
      result += d * d;
    }
    return result;
  }

  @Override
  public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int length) {
    int i = 0;
    if (length >= MIN_LENGTH) {
      FloatVector va = FloatVector.broadcast(SPECIES, alpha);
      for (; i <= length - LANES; i += LANES) {
        FloatVector vy = FloatVector.fromArray(SPECIES, y, yOffset + i);
        FloatVector.fromArray(SPECIES, x, xOffset + i).fma(va, vy).intoArray(y, yOffset + i);
      }
    }
    for (; i < length; i++) {
      y[yOffset + i] += alpha * x[xOffset + i];
    }
  }

  @Override
  public void scaledAdd(
      float beta, float[] y, int yOffset, float alpha, float[] x, int xOffset, int length) {
    int i = 0;
    if (length >= MIN_LENGTH) {
      FloatVector va = FloatVector.broadcast(SPECIES, alpha);
      FloatVector vb = FloatVector.broadcast(SPECIES, beta);
      for (; i <= length - LANES; i += LANES) {
        FloatVector vy = FloatVector.fromArray(SPECIES, y, yOffset + i).mul(vb);
        FloatVector.fromArray(SPECIES, x, xOffset + i).fma(va, vy).intoArray(y, yOffset + i);
      }
    }
    for (; i < length; i++) {
      y[yOffset + i] = beta * y[yOffset + i] + alpha * x[xOffset + i];
    }
  }

  @Override
  public void scale(float alpha, float[] x, int offset, int length) {
    int i = 0;
    if (length >= MIN_LENGTH) {
      for (; i <= length - LANES; i += LANES) {
        FloatVector.fromArray(SPECIES, x, offset + i).mul(alpha).intoArray(x, offset + i);
      }
    }
    for (; i < length; i++) {
      x[offset + i] *= alpha;
    }
  }


}
