package io.perennial.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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

  /**
   * Bytes with as many lanes as {@link #SPECIES} has floats, so one load of codes widens into one
   * float (or int) vector; {@code null} below 8 lanes, where no byte shape that small exists (the
   * int8 kernels then run the scalar loops).
   */
  private static final VectorSpecies<Byte> BYTES =
      LANES >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;
  private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, SPECIES.vectorShape());

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
  public void adam(float[] p, int pOffset, float[] m, float[] v, int stateOffset, float[] g, int gOffset,
      int length, float beta1, float beta2, float lr, float c1, float c2, float eps) {
    float k1 = 1 - beta1;
    float k2 = 1 - beta2;
    int d = 0;
    for (; d <= length - LANES; d += LANES) {
      FloatVector gd = FloatVector.fromArray(SPECIES, g, gOffset + d);
      FloatVector md = FloatVector.fromArray(SPECIES, m, stateOffset + d).mul(beta1).add(gd.mul(k1));
      FloatVector vd = FloatVector.fromArray(SPECIES, v, stateOffset + d).mul(beta2).add(gd.mul(k2).mul(gd));
      md.intoArray(m, stateOffset + d);
      vd.intoArray(v, stateOffset + d);
      FloatVector step = md.div(c1).mul(lr).div(vd.div(c2).sqrt().add(eps));
      FloatVector.fromArray(SPECIES, p, pOffset + d).sub(step).intoArray(p, pOffset + d);
    }
    if (d < length) {
      Kernels.super.adam(p, pOffset + d, m, v, stateOffset + d, g, gOffset + d, length - d, beta1, beta2, lr, c1, c2,
          eps);
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

  // ---- int8 codes -----------------------------------------------------------------------------

  @Override
  public int dotInt8(byte[] a, int aOffset, byte[] b, int bOffset, int length) {
    if (BYTES == null || length < LANES) {
      return tail.dotInt8(a, aOffset, b, bOffset, length);
    }
    IntVector acc = IntVector.zero(INTS);
    int i = 0;
    for (; i <= length - LANES; i += LANES) {
      IntVector va = (IntVector) ByteVector.fromArray(BYTES, a, aOffset + i).convertShape(VectorOperators.B2I, INTS, 0);
      IntVector vb = (IntVector) ByteVector.fromArray(BYTES, b, bOffset + i).convertShape(VectorOperators.B2I, INTS, 0);
      acc = va.mul(vb).add(acc);
    }
    // integer addition is associative, so any reduction order gives the same exact sum
    int result = acc.reduceLanes(VectorOperators.ADD);
    for (; i < length; i++) {
      result += a[aOffset + i] * b[bOffset + i];
    }
    return result;
  }

  @Override
  public float dotInt8(float[] x, int xOffset, byte[] codes, int codesOffset, int length) {
    if (BYTES == null || length < LANES) {
      return tail.dotInt8(x, xOffset, codes, codesOffset, length);
    }
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i <= length - 2 * LANES; i += 2 * LANES) {
      acc0 = FloatVector.fromArray(SPECIES, x, xOffset + i).fma(widen(codes, codesOffset + i), acc0);
      acc1 = FloatVector.fromArray(SPECIES, x, xOffset + i + LANES).fma(widen(codes, codesOffset + i + LANES), acc1);
    }
    for (; i <= length - LANES; i += LANES) {
      acc0 = FloatVector.fromArray(SPECIES, x, xOffset + i).fma(widen(codes, codesOffset + i), acc0);
    }
    float result = sumLanes(acc0.add(acc1));
    for (; i < length; i++) {
      result += x[xOffset + i] * codes[codesOffset + i];
    }
    return result;
  }

  /** {@code LANES} codes from {@code offset}, sign-extended to floats (exact: |code| ≤ 128). */
  private static FloatVector widen(byte[] codes, int offset) {
    return (FloatVector) ByteVector.fromArray(BYTES, codes, offset).convertShape(VectorOperators.B2F, SPECIES, 0);
  }

  // ---- the BPR step ---------------------------------------------------------------------------

  @Override
  public float dotOfDifference(float[] u, int uOffset, float[] t, int iOffset, int jOffset, int k) {
    if (k < LANES) {
      return tail.dotOfDifference(u, uOffset, t, iOffset, jOffset, k);
    }
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    int d = 0;
    for (; d + 2 * LANES <= k; d += 2 * LANES) {
      acc0 = FloatVector.fromArray(SPECIES, t, iOffset + d).sub(FloatVector.fromArray(SPECIES, t, jOffset + d))
          .fma(FloatVector.fromArray(SPECIES, u, uOffset + d), acc0);
      acc1 = FloatVector.fromArray(SPECIES, t, iOffset + d + LANES).sub(FloatVector.fromArray(SPECIES, t, jOffset + d + LANES))
          .fma(FloatVector.fromArray(SPECIES, u, uOffset + d + LANES), acc1);
    }
    if (d + LANES <= k) {
      acc0 = FloatVector.fromArray(SPECIES, t, iOffset + d).sub(FloatVector.fromArray(SPECIES, t, jOffset + d))
          .fma(FloatVector.fromArray(SPECIES, u, uOffset + d), acc0);
      d += LANES;
    }
    float s = sumLanes(acc0.add(acc1));
    for (; d < k; d++) {
      s += u[uOffset + d] * (t[iOffset + d] - t[jOffset + d]);
    }
    return s;
  }

  @Override
  public void pairwiseStep(float[] u, int uOffset, float[] t, int iOffset, int jOffset, int k, float step,
      float decay) {
    int d = 0;
    if (k >= LANES) {
      FloatVector vs = FloatVector.broadcast(SPECIES, step);
      FloatVector vd = FloatVector.broadcast(SPECIES, decay);
      for (; d + LANES <= k; d += LANES) {
        FloatVector pu = FloatVector.fromArray(SPECIES, u, uOffset + d);
        FloatVector qi = FloatVector.fromArray(SPECIES, t, iOffset + d);
        FloatVector qj = FloatVector.fromArray(SPECIES, t, jOffset + d);
        FloatVector sp = vs.mul(pu);
        pu.add(vs.mul(qi.sub(qj)).sub(vd.mul(pu))).intoArray(u, uOffset + d);
        qi.add(sp.sub(vd.mul(qi))).intoArray(t, iOffset + d);
        qj.add(sp.neg().sub(vd.mul(qj))).intoArray(t, jOffset + d);
      }
    }
    for (; d < k; d++) {
      float pu = u[uOffset + d];
      float qi = t[iOffset + d];
      float qj = t[jOffset + d];
      u[uOffset + d] = pu + (step * (qi - qj) - decay * pu);
      t[iOffset + d] = qi + (step * pu - decay * qi);
      t[jOffset + d] = qj + (-step * pu - decay * qj);
    }
  }

  // ---- the iALS operator ------------------------------------------------------------------------

  @Override
  public void symmetricMatVec(float[] g, int k, float[] v, float shift, float[] out) {
    if (k < MIN_LENGTH) {
      tail.symmetricMatVec(g, k, v, shift, out);
      return;
    }
    // out[r] = Σ_c G(c, r)·v[c] (G is symmetric): a block of out accumulates in registers while
    // the matching slice of every row of G streams past, each v[c] broadcast once per block.
    int kv = k - k % LANES;
    int r0 = 0;
    for (; r0 + 4 * LANES <= kv; r0 += 4 * LANES) {
      FloatVector acc0 = FloatVector.fromArray(SPECIES, v, r0).mul(shift);
      FloatVector acc1 = FloatVector.fromArray(SPECIES, v, r0 + LANES).mul(shift);
      FloatVector acc2 = FloatVector.fromArray(SPECIES, v, r0 + 2 * LANES).mul(shift);
      FloatVector acc3 = FloatVector.fromArray(SPECIES, v, r0 + 3 * LANES).mul(shift);
      for (int c = 0, gi = r0; c < k; c++, gi += k) {
        FloatVector vc = FloatVector.broadcast(SPECIES, v[c]);
        acc0 = FloatVector.fromArray(SPECIES, g, gi).fma(vc, acc0);
        acc1 = FloatVector.fromArray(SPECIES, g, gi + LANES).fma(vc, acc1);
        acc2 = FloatVector.fromArray(SPECIES, g, gi + 2 * LANES).fma(vc, acc2);
        acc3 = FloatVector.fromArray(SPECIES, g, gi + 3 * LANES).fma(vc, acc3);
      }
      acc0.intoArray(out, r0);
      acc1.intoArray(out, r0 + LANES);
      acc2.intoArray(out, r0 + 2 * LANES);
      acc3.intoArray(out, r0 + 3 * LANES);
    }
    for (; r0 < kv; r0 += LANES) {
      FloatVector acc = FloatVector.fromArray(SPECIES, v, r0).mul(shift);
      for (int c = 0, gi = r0; c < k; c++, gi += k) {
        acc = FloatVector.fromArray(SPECIES, g, gi).fma(FloatVector.broadcast(SPECIES, v[c]), acc);
      }
      acc.intoArray(out, r0);
    }
    for (int r = kv; r < k; r++) {
      out[r] = shift * v[r] + dot(g, r * k, v, 0, k);
    }
  }

  @Override
  public void confidenceProducts(float[] table, int k, int[] cols, float[] values, int start, int end,
      float alpha, float rhs, float sign, float[] v, int vOffset, float[] out, int outOffset) {
    // The accumulated row stays in registers across all the entries: through memory, each entry's
    // update would wait on the previous one's store (3-4x slower at k = 64). Fused for rows of 2, 4
    // or 8 vectors; other widths take the general loop.
    if (k == 4 * LANES) {
      confidenceProducts4(table, cols, values, start, end, alpha, rhs, sign, v, vOffset, out, outOffset);
    } else if (k == 8 * LANES) {
      confidenceProducts8(table, cols, values, start, end, alpha, rhs, sign, v, vOffset, out, outOffset);
    } else if (k == 2 * LANES) {
      confidenceProducts2(table, cols, values, start, end, alpha, rhs, sign, v, vOffset, out, outOffset);
    } else if (k < 2 * LANES) {
      tail.confidenceProducts(table, k, cols, values, start, end, alpha, rhs, sign, v, vOffset, out, outOffset);
    } else {
      confidenceProductsAnyWidth(table, k, cols, values, start, end, alpha, rhs, sign, v, vOffset, out, outOffset);
    }
  }

  private static float coefficient(float alpha, float value, float rhs, float sign, float yv) {
    float a = alpha * value;
    return rhs * (1 + a) + sign * a * yv;
  }

  private static void confidenceProducts2(float[] table, int[] cols, float[] values, int start, int end,
      float alpha, float rhs, float sign, float[] v, int vo, float[] out, int oo) {
    final int k = 2 * LANES;
    FloatVector v0 = FloatVector.fromArray(SPECIES, v, vo);
    FloatVector v1 = FloatVector.fromArray(SPECIES, v, vo + LANES);
    FloatVector o0 = FloatVector.fromArray(SPECIES, out, oo);
    FloatVector o1 = FloatVector.fromArray(SPECIES, out, oo + LANES);
    for (int n = start; n < end; n++) {
      int yo = cols[n] * k;
      FloatVector y0 = FloatVector.fromArray(SPECIES, table, yo);
      FloatVector y1 = FloatVector.fromArray(SPECIES, table, yo + LANES);
      float yv = sumLanes(y0.fma(v0, y1.mul(v1)));
      FloatVector c = FloatVector.broadcast(SPECIES, coefficient(alpha, values[n], rhs, sign, yv));
      o0 = y0.fma(c, o0);
      o1 = y1.fma(c, o1);
    }
    o0.intoArray(out, oo);
    o1.intoArray(out, oo + LANES);
  }

  private static void confidenceProducts4(float[] table, int[] cols, float[] values, int start, int end,
      float alpha, float rhs, float sign, float[] v, int vo, float[] out, int oo) {
    final int k = 4 * LANES;
    FloatVector v0 = FloatVector.fromArray(SPECIES, v, vo);
    FloatVector v1 = FloatVector.fromArray(SPECIES, v, vo + LANES);
    FloatVector v2 = FloatVector.fromArray(SPECIES, v, vo + 2 * LANES);
    FloatVector v3 = FloatVector.fromArray(SPECIES, v, vo + 3 * LANES);
    FloatVector o0 = FloatVector.fromArray(SPECIES, out, oo);
    FloatVector o1 = FloatVector.fromArray(SPECIES, out, oo + LANES);
    FloatVector o2 = FloatVector.fromArray(SPECIES, out, oo + 2 * LANES);
    FloatVector o3 = FloatVector.fromArray(SPECIES, out, oo + 3 * LANES);
    for (int n = start; n < end; n++) {
      int yo = cols[n] * k;
      FloatVector y0 = FloatVector.fromArray(SPECIES, table, yo);
      FloatVector y1 = FloatVector.fromArray(SPECIES, table, yo + LANES);
      FloatVector y2 = FloatVector.fromArray(SPECIES, table, yo + 2 * LANES);
      FloatVector y3 = FloatVector.fromArray(SPECIES, table, yo + 3 * LANES);
      float yv = sumLanes(y0.fma(v0, y1.mul(v1)).add(y2.fma(v2, y3.mul(v3))));
      FloatVector c = FloatVector.broadcast(SPECIES, coefficient(alpha, values[n], rhs, sign, yv));
      o0 = y0.fma(c, o0);
      o1 = y1.fma(c, o1);
      o2 = y2.fma(c, o2);
      o3 = y3.fma(c, o3);
    }
    o0.intoArray(out, oo);
    o1.intoArray(out, oo + LANES);
    o2.intoArray(out, oo + 2 * LANES);
    o3.intoArray(out, oo + 3 * LANES);
  }

  private static void confidenceProducts8(float[] table, int[] cols, float[] values, int start, int end,
      float alpha, float rhs, float sign, float[] v, int vo, float[] out, int oo) {
    final int k = 8 * LANES;
    FloatVector o0 = FloatVector.fromArray(SPECIES, out, oo);
    FloatVector o1 = FloatVector.fromArray(SPECIES, out, oo + LANES);
    FloatVector o2 = FloatVector.fromArray(SPECIES, out, oo + 2 * LANES);
    FloatVector o3 = FloatVector.fromArray(SPECIES, out, oo + 3 * LANES);
    FloatVector o4 = FloatVector.fromArray(SPECIES, out, oo + 4 * LANES);
    FloatVector o5 = FloatVector.fromArray(SPECIES, out, oo + 5 * LANES);
    FloatVector o6 = FloatVector.fromArray(SPECIES, out, oo + 6 * LANES);
    FloatVector o7 = FloatVector.fromArray(SPECIES, out, oo + 7 * LANES);
    for (int n = start; n < end; n++) {
      int yo = cols[n] * k;
      // v is re-read from L1 rather than held: 8 accumulators and 8 row vectors fill AVX2's registers
      FloatVector acc0 = FloatVector.fromArray(SPECIES, table, yo).mul(FloatVector.fromArray(SPECIES, v, vo));
      FloatVector acc1 = FloatVector.fromArray(SPECIES, table, yo + LANES).mul(FloatVector.fromArray(SPECIES, v, vo + LANES));
      for (int d = 2; d < 8; d += 2) {
        acc0 = FloatVector.fromArray(SPECIES, table, yo + d * LANES)
            .fma(FloatVector.fromArray(SPECIES, v, vo + d * LANES), acc0);
        acc1 = FloatVector.fromArray(SPECIES, table, yo + (d + 1) * LANES)
            .fma(FloatVector.fromArray(SPECIES, v, vo + (d + 1) * LANES), acc1);
      }
      float yv = sumLanes(acc0.add(acc1));
      FloatVector c = FloatVector.broadcast(SPECIES, coefficient(alpha, values[n], rhs, sign, yv));
      o0 = FloatVector.fromArray(SPECIES, table, yo).fma(c, o0);
      o1 = FloatVector.fromArray(SPECIES, table, yo + LANES).fma(c, o1);
      o2 = FloatVector.fromArray(SPECIES, table, yo + 2 * LANES).fma(c, o2);
      o3 = FloatVector.fromArray(SPECIES, table, yo + 3 * LANES).fma(c, o3);
      o4 = FloatVector.fromArray(SPECIES, table, yo + 4 * LANES).fma(c, o4);
      o5 = FloatVector.fromArray(SPECIES, table, yo + 5 * LANES).fma(c, o5);
      o6 = FloatVector.fromArray(SPECIES, table, yo + 6 * LANES).fma(c, o6);
      o7 = FloatVector.fromArray(SPECIES, table, yo + 7 * LANES).fma(c, o7);
    }
    o0.intoArray(out, oo);
    o1.intoArray(out, oo + LANES);
    o2.intoArray(out, oo + 2 * LANES);
    o3.intoArray(out, oo + 3 * LANES);
    o4.intoArray(out, oo + 4 * LANES);
    o5.intoArray(out, oo + 5 * LANES);
    o6.intoArray(out, oo + 6 * LANES);
    o7.intoArray(out, oo + 7 * LANES);
  }

  private void confidenceProductsAnyWidth(float[] table, int k, int[] cols, float[] values, int start, int end,
      float alpha, float rhs, float sign, float[] v, int vOffset, float[] out, int outOffset) {
    int kv = k - k % LANES;
    int pairs = kv - kv % (2 * LANES);
    for (int n = start; n < end; n++) {
      int yo = cols[n] * k;
      // Two accumulators halve the FMA dependency chain of the dot product.
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = FloatVector.zero(SPECIES);
      int d = 0;
      for (; d < pairs; d += 2 * LANES) {
        acc0 = FloatVector.fromArray(SPECIES, table, yo + d).fma(FloatVector.fromArray(SPECIES, v, vOffset + d), acc0);
        acc1 = FloatVector.fromArray(SPECIES, table, yo + d + LANES)
            .fma(FloatVector.fromArray(SPECIES, v, vOffset + d + LANES), acc1);
      }
      if (d < kv) {
        acc0 = FloatVector.fromArray(SPECIES, table, yo + d).fma(FloatVector.fromArray(SPECIES, v, vOffset + d), acc0);
      }
      float yv = sumLanes(acc0.add(acc1));
      for (int t = kv; t < k; t++) {
        yv += table[yo + t] * v[vOffset + t];
      }
      float coefficient = coefficient(alpha, values[n], rhs, sign, yv);
      FloatVector vc = FloatVector.broadcast(SPECIES, coefficient);
      for (d = 0; d < kv; d += LANES) {
        FloatVector.fromArray(SPECIES, table, yo + d).fma(vc, FloatVector.fromArray(SPECIES, out, outOffset + d))
            .intoArray(out, outOffset + d);
      }
      for (int t = kv; t < k; t++) {
        out[outOffset + t] += coefficient * table[yo + t];
      }
    }
  }

  // ---- matrix products ------------------------------------------------------------------------
  //
  // One register-blocked kernel serves all three products: C (m × n, row-major, leading dimension
  // n) += Σ_p A(i, p) · B(p, j), where A(i, p) = a[ai + i·aRow + p·aCol] (A·B: aRow = k, aCol = 1;
  // Aᵀ·B: aRow = 1, aCol = m) and B is a row-major k × n panel (A·Bᵀ packs Bᵀ into one first, so
  // its inner loop is the same lane-wise FMA stream instead of a horizontal sum per element).
  //
  // Every C element is computed as c = fma(A(i,p), B(p,j), c) for p = 0, 1, …, k-1 in that order,
  // starting from 0 (or from C when accumulating), whichever tile, tail or depth pass it falls in:
  // the result is bit-identical to that plain fused loop, independent of the blocking, of m and n,
  // and of interpreted versus compiled code (lane-wise FMAs are exact IEEE operations).

  /** Rows of A (and C) per register tile: 4 rows × 4 vectors is 16 accumulators of 32 registers. */
  private static final int MR = 4;
  /**
   * 4 × 4 tiles need AVX-512's 32 vector registers (16 accumulators, 4 B vectors, a broadcast); with
   * 256-bit vectors there are 16 registers, and tiles of at most 3 vectors do not spill.
   */
  private static final boolean FOUR_VECTOR_TILES = SPECIES.vectorBitSize() >= 512;
  /** Depth of one pass over p: a KC × n panel of B (64 KB at n = 64) stays in L2 across all rows. */
  private static final int KC = 256;

  /** Per-thread buffers reused by every call: packed Bᵀ, the zero-padded column tail, a C tile. */
  private static final class Scratch {
    float[] packed = new float[0];
    float[] tailPanel = new float[0];
    final float[] tailTile = new float[MR * LANES];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  @Override
  public void matMul(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset,
      int m, int k, int n, boolean accumulate) {
    product(a, aOffset, k, 1, b, bOffset, c, cOffset, m, k, n, accumulate, SCRATCH.get());
  }

  @Override
  public void matMulTransA(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset,
      int m, int k, int n, boolean accumulate) {
    product(a, aOffset, 1, m, b, bOffset, c, cOffset, m, k, n, accumulate, SCRATCH.get());
  }

  @Override
  public void matMulTransB(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset,
      int m, int k, int n, boolean accumulate) {
    // Pack Bᵀ (k × n) once per call, k·n copies against m·k·n multiply-adds, then run A·B on it.
    Scratch s = SCRATCH.get();
    int size = k * n;
    if (s.packed.length < size) {
      s.packed = new float[size];
    }
    float[] packed = s.packed;
    // Transposed in 16 × 16 blocks, so both the reads and the writes stay within a few cache lines.
    for (int j0 = 0; j0 < n; j0 += 16) {
      int j1 = Math.min(n, j0 + 16);
      for (int p0 = 0; p0 < k; p0 += 16) {
        int p1 = Math.min(k, p0 + 16);
        for (int p = p0; p < p1; p++) {
          int out = p * n;
          for (int j = j0; j < j1; j++) {
            packed[out + j] = b[bOffset + j * k + p];
          }
        }
      }
    }
    product(a, aOffset, k, 1, packed, 0, c, cOffset, m, k, n, accumulate, s);
  }

  /** C (+)= A·B for A addressed by strides (see above) and B a row-major k × n panel at bOff. */
  private static void product(float[] a, int aOff, int aRow, int aCol, float[] b, int bOff,
      float[] c, int cOff, int m, int k, int n, boolean accumulate, Scratch s) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      if (!accumulate) {
        java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
      }
      return;
    }
    int nv = n - n % LANES;
    int tail = n - nv;
    if (tail > 0) {
      // The last n mod LANES columns of B, zero-padded to one vector per row: the tail runs the
      // same vector tile into a scratch C tile, and only its first `tail` lanes are copied back.
      if (s.tailPanel.length < k * LANES) {
        s.tailPanel = new float[k * LANES];
      }
      float[] panel = s.tailPanel;
      for (int p = 0; p < k; p++) {
        System.arraycopy(b, bOff + p * n + nv, panel, p * LANES, tail);
        java.util.Arrays.fill(panel, p * LANES + tail, (p + 1) * LANES, 0f);
      }
    }
    for (int p0 = 0; p0 < k; p0 += KC) {
      int kc = Math.min(KC, k - p0);
      boolean load = accumulate || p0 > 0;
      int bp = bOff + p0 * n;
      int i = 0;
      for (; i + MR <= m; i += MR) {
        int ai = aOff + i * aRow + p0 * aCol;
        int ci = cOff + i * n;
        int j = 0;
        for (; FOUR_VECTOR_TILES && j + 4 * LANES <= nv; j += 4 * LANES) {
          tile4x4(a, ai, aRow, aCol, b, bp + j, n, c, ci + j, n, kc, load);
        }
        for (; nv - j > 3 * LANES; j += 2 * LANES) {
          tile4x2(a, ai, aRow, aCol, b, bp + j, n, c, ci + j, n, kc, load);
        }
        switch ((nv - j) / LANES) { // 0 to 3 vectors left: one tile for all of them
          case 3 -> tile4x3(a, ai, aRow, aCol, b, bp + j, n, c, ci + j, n, kc, load);
          case 2 -> tile4x2(a, ai, aRow, aCol, b, bp + j, n, c, ci + j, n, kc, load);
          case 1 -> tile4x1(a, ai, aRow, aCol, b, bp + j, n, c, ci + j, n, kc, load);
          default -> { }
        }
        if (tail > 0) {
          float[] t = s.tailTile;
          if (load) {
            for (int r = 0; r < MR; r++) {
              System.arraycopy(c, ci + r * n + nv, t, r * LANES, tail);
            }
          }
          tile4x1(a, ai, aRow, aCol, s.tailPanel, p0 * LANES, LANES, t, 0, LANES, kc, load);
          for (int r = 0; r < MR; r++) {
            System.arraycopy(t, r * LANES, c, ci + r * n + nv, tail);
          }
        }
      }
      for (; i < m; i++) {
        int ai = aOff + i * aRow + p0 * aCol;
        int ci = cOff + i * n;
        int j = 0;
        for (; FOUR_VECTOR_TILES && j + 4 * LANES <= nv; j += 4 * LANES) {
          tile1x4(a, ai, aRow, aCol, b, bp + j, n, c, ci + j, n, kc, load);
        }
        for (; nv - j > 3 * LANES; j += 2 * LANES) {
          tile1x2(a, ai, aRow, aCol, b, bp + j, n, c, ci + j, n, kc, load);
        }
        switch ((nv - j) / LANES) { // 0 to 3 vectors left: one tile for all of them
          case 3 -> tile1x3(a, ai, aRow, aCol, b, bp + j, n, c, ci + j, n, kc, load);
          case 2 -> tile1x2(a, ai, aRow, aCol, b, bp + j, n, c, ci + j, n, kc, load);
          case 1 -> tile1x1(a, ai, aRow, aCol, b, bp + j, n, c, ci + j, n, kc, load);
          default -> { }
        }
        if (tail > 0) {
          float[] t = s.tailTile;
          if (load) {
            System.arraycopy(c, ci + nv, t, 0, tail);
          }
          tile1x1(a, ai, aRow, aCol, s.tailPanel, p0 * LANES, LANES, t, 0, LANES, kc, load);
          System.arraycopy(t, 0, c, ci + nv, tail);
        }
      }
    }
  }

  /**
   * {@code C = A·Bᵀ} by blocked dot products instead of packing: 2 rows of A × 4 rows of B, eight
   * lane-wise accumulators over k, then eight horizontal sums; other rows by {@link #dot}. Kept only
   * so that {@code KernelBenchmark} can measure it against the packed path {@link #matMulTransB}
   * uses (which wins at the deep models' shapes: see docs/BENCHMARKS.md).
   */
  private static final SimdKernels DOT_TILES_FALLBACK = new SimdKernels();

  static void matMulTransBByDotTiles(float[] a, float[] b, float[] c, int m, int k, int n) {
    SimdKernels kernels = DOT_TILES_FALLBACK;
    int kv = k - k % LANES;
    int i = 0;
    for (; i + 2 <= m; i += 2) {
      int a0 = i * k;
      int a1 = a0 + k;
      int j = 0;
      for (; j + 4 <= n; j += 4) {
        int b0 = j * k;
        int b1 = b0 + k;
        int b2 = b1 + k;
        int b3 = b2 + k;
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        for (int p = 0; p < kv; p += LANES) {
          FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + p);
          FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + p);
          FloatVector y = FloatVector.fromArray(SPECIES, b, b0 + p);
          s00 = x0.fma(y, s00);
          s10 = x1.fma(y, s10);
          y = FloatVector.fromArray(SPECIES, b, b1 + p);
          s01 = x0.fma(y, s01);
          s11 = x1.fma(y, s11);
          y = FloatVector.fromArray(SPECIES, b, b2 + p);
          s02 = x0.fma(y, s02);
          s12 = x1.fma(y, s12);
          y = FloatVector.fromArray(SPECIES, b, b3 + p);
          s03 = x0.fma(y, s03);
          s13 = x1.fma(y, s13);
        }
        // One call per accumulator (an array of vectors would box them and defeat the JIT).
        int ci = i * n + j;
        c[ci] = finishDot(s00, a, a0, b, b0, kv, k);
        c[ci + 1] = finishDot(s01, a, a0, b, b1, kv, k);
        c[ci + 2] = finishDot(s02, a, a0, b, b2, kv, k);
        c[ci + 3] = finishDot(s03, a, a0, b, b3, kv, k);
        c[ci + n] = finishDot(s10, a, a1, b, b0, kv, k);
        c[ci + n + 1] = finishDot(s11, a, a1, b, b1, kv, k);
        c[ci + n + 2] = finishDot(s12, a, a1, b, b2, kv, k);
        c[ci + n + 3] = finishDot(s13, a, a1, b, b3, kv, k);
      }
      for (; j < n; j++) {
        c[i * n + j] = kernels.dot(a, a0, b, j * k, k);
        c[(i + 1) * n + j] = kernels.dot(a, a1, b, j * k, k);
      }
    }
    for (; i < m; i++) {
      for (int j = 0; j < n; j++) {
        c[i * n + j] = kernels.dot(a, i * k, b, j * k, k);
      }
    }
  }

  /** The lane sum of a dot product's accumulator plus its scalar tail {@code [kv, k)}. */
  private static float finishDot(FloatVector acc, float[] a, int ai, float[] b, int bi, int kv, int k) {
    float s = sumLanes(acc);
    for (int p = kv; p < k; p++) {
      s += a[ai + p] * b[bi + p];
    }
    return s;
  }

  // The tiles: C tile in registers; per step p, one load per B vector, one broadcast per A row,
  // rows × vectors FMAs. Written out by size (no generics over registers in Java).

  /** A 4-row × 4-vector tile of C held in registers for {@code kc} steps of p. */
  private static void tile4x4(float[] a, int ai, int aRow, int aCol, float[] b, int bi, int ldb,
      float[] c, int ci, int ldc, int kc, boolean load) {
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, ci) : zero;
    FloatVector c01 = load ? FloatVector.fromArray(SPECIES, c, ci + LANES) : zero;
    FloatVector c02 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * LANES) : zero;
    FloatVector c03 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * LANES) : zero;
    FloatVector c10 = load ? FloatVector.fromArray(SPECIES, c, ci + ldc) : zero;
    FloatVector c11 = load ? FloatVector.fromArray(SPECIES, c, ci + ldc + LANES) : zero;
    FloatVector c12 = load ? FloatVector.fromArray(SPECIES, c, ci + ldc + 2 * LANES) : zero;
    FloatVector c13 = load ? FloatVector.fromArray(SPECIES, c, ci + ldc + 3 * LANES) : zero;
    FloatVector c20 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * ldc) : zero;
    FloatVector c21 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * ldc + LANES) : zero;
    FloatVector c22 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * ldc + 2 * LANES) : zero;
    FloatVector c23 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * ldc + 3 * LANES) : zero;
    FloatVector c30 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * ldc) : zero;
    FloatVector c31 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * ldc + LANES) : zero;
    FloatVector c32 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * ldc + 2 * LANES) : zero;
    FloatVector c33 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * ldc + 3 * LANES) : zero;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * ldb;
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
      FloatVector b2 = FloatVector.fromArray(SPECIES, b, bp + 2 * LANES);
      FloatVector b3 = FloatVector.fromArray(SPECIES, b, bp + 3 * LANES);
      int ap = ai + p * aCol;
      FloatVector x0 = FloatVector.broadcast(SPECIES, a[ap]);
      c00 = b0.fma(x0, c00);
      c01 = b1.fma(x0, c01);
      c02 = b2.fma(x0, c02);
      c03 = b3.fma(x0, c03);
      FloatVector x1 = FloatVector.broadcast(SPECIES, a[ap + aRow]);
      c10 = b0.fma(x1, c10);
      c11 = b1.fma(x1, c11);
      c12 = b2.fma(x1, c12);
      c13 = b3.fma(x1, c13);
      FloatVector x2 = FloatVector.broadcast(SPECIES, a[ap + 2 * aRow]);
      c20 = b0.fma(x2, c20);
      c21 = b1.fma(x2, c21);
      c22 = b2.fma(x2, c22);
      c23 = b3.fma(x2, c23);
      FloatVector x3 = FloatVector.broadcast(SPECIES, a[ap + 3 * aRow]);
      c30 = b0.fma(x3, c30);
      c31 = b1.fma(x3, c31);
      c32 = b2.fma(x3, c32);
      c33 = b3.fma(x3, c33);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + LANES);
    c02.intoArray(c, ci + 2 * LANES);
    c03.intoArray(c, ci + 3 * LANES);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + LANES);
    c12.intoArray(c, ci + ldc + 2 * LANES);
    c13.intoArray(c, ci + ldc + 3 * LANES);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + LANES);
    c22.intoArray(c, ci + 2 * ldc + 2 * LANES);
    c23.intoArray(c, ci + 2 * ldc + 3 * LANES);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + LANES);
    c32.intoArray(c, ci + 3 * ldc + 2 * LANES);
    c33.intoArray(c, ci + 3 * ldc + 3 * LANES);
  }

  /** A 4-row × 3-vector tile of C held in registers for {@code kc} steps of p. */
  private static void tile4x3(float[] a, int ai, int aRow, int aCol, float[] b, int bi, int ldb,
      float[] c, int ci, int ldc, int kc, boolean load) {
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, ci) : zero;
    FloatVector c01 = load ? FloatVector.fromArray(SPECIES, c, ci + LANES) : zero;
    FloatVector c02 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * LANES) : zero;
    FloatVector c10 = load ? FloatVector.fromArray(SPECIES, c, ci + ldc) : zero;
    FloatVector c11 = load ? FloatVector.fromArray(SPECIES, c, ci + ldc + LANES) : zero;
    FloatVector c12 = load ? FloatVector.fromArray(SPECIES, c, ci + ldc + 2 * LANES) : zero;
    FloatVector c20 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * ldc) : zero;
    FloatVector c21 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * ldc + LANES) : zero;
    FloatVector c22 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * ldc + 2 * LANES) : zero;
    FloatVector c30 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * ldc) : zero;
    FloatVector c31 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * ldc + LANES) : zero;
    FloatVector c32 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * ldc + 2 * LANES) : zero;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * ldb;
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
      FloatVector b2 = FloatVector.fromArray(SPECIES, b, bp + 2 * LANES);
      int ap = ai + p * aCol;
      FloatVector x0 = FloatVector.broadcast(SPECIES, a[ap]);
      c00 = b0.fma(x0, c00);
      c01 = b1.fma(x0, c01);
      c02 = b2.fma(x0, c02);
      FloatVector x1 = FloatVector.broadcast(SPECIES, a[ap + aRow]);
      c10 = b0.fma(x1, c10);
      c11 = b1.fma(x1, c11);
      c12 = b2.fma(x1, c12);
      FloatVector x2 = FloatVector.broadcast(SPECIES, a[ap + 2 * aRow]);
      c20 = b0.fma(x2, c20);
      c21 = b1.fma(x2, c21);
      c22 = b2.fma(x2, c22);
      FloatVector x3 = FloatVector.broadcast(SPECIES, a[ap + 3 * aRow]);
      c30 = b0.fma(x3, c30);
      c31 = b1.fma(x3, c31);
      c32 = b2.fma(x3, c32);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + LANES);
    c02.intoArray(c, ci + 2 * LANES);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + LANES);
    c12.intoArray(c, ci + ldc + 2 * LANES);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + LANES);
    c22.intoArray(c, ci + 2 * ldc + 2 * LANES);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + LANES);
    c32.intoArray(c, ci + 3 * ldc + 2 * LANES);
  }

  /** A 4-row × 2-vector tile of C held in registers for {@code kc} steps of p. */
  private static void tile4x2(float[] a, int ai, int aRow, int aCol, float[] b, int bi, int ldb,
      float[] c, int ci, int ldc, int kc, boolean load) {
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, ci) : zero;
    FloatVector c01 = load ? FloatVector.fromArray(SPECIES, c, ci + LANES) : zero;
    FloatVector c10 = load ? FloatVector.fromArray(SPECIES, c, ci + ldc) : zero;
    FloatVector c11 = load ? FloatVector.fromArray(SPECIES, c, ci + ldc + LANES) : zero;
    FloatVector c20 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * ldc) : zero;
    FloatVector c21 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * ldc + LANES) : zero;
    FloatVector c30 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * ldc) : zero;
    FloatVector c31 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * ldc + LANES) : zero;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * ldb;
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
      int ap = ai + p * aCol;
      FloatVector x0 = FloatVector.broadcast(SPECIES, a[ap]);
      c00 = b0.fma(x0, c00);
      c01 = b1.fma(x0, c01);
      FloatVector x1 = FloatVector.broadcast(SPECIES, a[ap + aRow]);
      c10 = b0.fma(x1, c10);
      c11 = b1.fma(x1, c11);
      FloatVector x2 = FloatVector.broadcast(SPECIES, a[ap + 2 * aRow]);
      c20 = b0.fma(x2, c20);
      c21 = b1.fma(x2, c21);
      FloatVector x3 = FloatVector.broadcast(SPECIES, a[ap + 3 * aRow]);
      c30 = b0.fma(x3, c30);
      c31 = b1.fma(x3, c31);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + LANES);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + LANES);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + LANES);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + LANES);
  }

  /** A 4-row × 1-vector tile of C held in registers for {@code kc} steps of p. */
  private static void tile4x1(float[] a, int ai, int aRow, int aCol, float[] b, int bi, int ldb,
      float[] c, int ci, int ldc, int kc, boolean load) {
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, ci) : zero;
    FloatVector c10 = load ? FloatVector.fromArray(SPECIES, c, ci + ldc) : zero;
    FloatVector c20 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * ldc) : zero;
    FloatVector c30 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * ldc) : zero;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * ldb;
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
      int ap = ai + p * aCol;
      FloatVector x0 = FloatVector.broadcast(SPECIES, a[ap]);
      c00 = b0.fma(x0, c00);
      FloatVector x1 = FloatVector.broadcast(SPECIES, a[ap + aRow]);
      c10 = b0.fma(x1, c10);
      FloatVector x2 = FloatVector.broadcast(SPECIES, a[ap + 2 * aRow]);
      c20 = b0.fma(x2, c20);
      FloatVector x3 = FloatVector.broadcast(SPECIES, a[ap + 3 * aRow]);
      c30 = b0.fma(x3, c30);
    }
    c00.intoArray(c, ci);
    c10.intoArray(c, ci + ldc);
    c20.intoArray(c, ci + 2 * ldc);
    c30.intoArray(c, ci + 3 * ldc);
  }

  /** A 1-row × 4-vector tile of C held in registers for {@code kc} steps of p. */
  private static void tile1x4(float[] a, int ai, int aRow, int aCol, float[] b, int bi, int ldb,
      float[] c, int ci, int ldc, int kc, boolean load) {
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, ci) : zero;
    FloatVector c01 = load ? FloatVector.fromArray(SPECIES, c, ci + LANES) : zero;
    FloatVector c02 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * LANES) : zero;
    FloatVector c03 = load ? FloatVector.fromArray(SPECIES, c, ci + 3 * LANES) : zero;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * ldb;
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
      FloatVector b2 = FloatVector.fromArray(SPECIES, b, bp + 2 * LANES);
      FloatVector b3 = FloatVector.fromArray(SPECIES, b, bp + 3 * LANES);
      int ap = ai + p * aCol;
      FloatVector x0 = FloatVector.broadcast(SPECIES, a[ap]);
      c00 = b0.fma(x0, c00);
      c01 = b1.fma(x0, c01);
      c02 = b2.fma(x0, c02);
      c03 = b3.fma(x0, c03);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + LANES);
    c02.intoArray(c, ci + 2 * LANES);
    c03.intoArray(c, ci + 3 * LANES);
  }

  /** A 1-row × 3-vector tile of C held in registers for {@code kc} steps of p. */
  private static void tile1x3(float[] a, int ai, int aRow, int aCol, float[] b, int bi, int ldb,
      float[] c, int ci, int ldc, int kc, boolean load) {
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, ci) : zero;
    FloatVector c01 = load ? FloatVector.fromArray(SPECIES, c, ci + LANES) : zero;
    FloatVector c02 = load ? FloatVector.fromArray(SPECIES, c, ci + 2 * LANES) : zero;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * ldb;
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
      FloatVector b2 = FloatVector.fromArray(SPECIES, b, bp + 2 * LANES);
      int ap = ai + p * aCol;
      FloatVector x0 = FloatVector.broadcast(SPECIES, a[ap]);
      c00 = b0.fma(x0, c00);
      c01 = b1.fma(x0, c01);
      c02 = b2.fma(x0, c02);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + LANES);
    c02.intoArray(c, ci + 2 * LANES);
  }

  /** A 1-row × 2-vector tile of C held in registers for {@code kc} steps of p. */
  private static void tile1x2(float[] a, int ai, int aRow, int aCol, float[] b, int bi, int ldb,
      float[] c, int ci, int ldc, int kc, boolean load) {
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, ci) : zero;
    FloatVector c01 = load ? FloatVector.fromArray(SPECIES, c, ci + LANES) : zero;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * ldb;
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
      int ap = ai + p * aCol;
      FloatVector x0 = FloatVector.broadcast(SPECIES, a[ap]);
      c00 = b0.fma(x0, c00);
      c01 = b1.fma(x0, c01);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + LANES);
  }

  /** A 1-row × 1-vector tile of C held in registers for {@code kc} steps of p. */
  private static void tile1x1(float[] a, int ai, int aRow, int aCol, float[] b, int bi, int ldb,
      float[] c, int ci, int ldc, int kc, boolean load) {
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, ci) : zero;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * ldb;
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
      int ap = ai + p * aCol;
      FloatVector x0 = FloatVector.broadcast(SPECIES, a[ap]);
      c00 = b0.fma(x0, c00);
    }
    c00.intoArray(c, ci);
  }
}
