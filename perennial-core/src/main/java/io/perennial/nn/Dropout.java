package io.perennial.nn;

/**
 * Inverted dropout: in training each element is zeroed with probability {@code p} and the
 * survivors scaled by {@code 1/(1-p)}, so inference is the identity. The keep mask is a pure
 * function of (seed, key + element index) through SplitMix64 (one hash per four consecutive
 * indices, 16 bits each), not a sequential generator: the
 * same seed and keys give the same masks however rows are split over threads. Shapes: inp, out,
 * mask {@code (N)}; mask holds the factor (0 or {@code 1/(1-p)}) for backward.
 */
public final class Dropout {
  private final float p;
  private final long seed;

  public Dropout(float p, long seed) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + p);
    }
    this.p = p;
    this.seed = seed;
  }

  public float rate() {
    return p;
  }

  /**
   * out (N) = inp (N) · mask (N), with mask drawn for elements {@code key .. key+N)}; the caller
   * chooses keys that never repeat within a run (e.g. step × elements per step + global element
   * offset). With {@code training} false, out = inp and the mask is set to 1.
   */
  public void forward(float[] out, int outOff, float[] mask, int maskOff, float[] inp, int inpOff, int n,
      long key, boolean training) {
    if (!(training && p > 0)) {
      // no draws at all: the mask is all ones (profiling showed the per-element branch costs)
      java.util.Arrays.fill(mask, maskOff, maskOff + n, 1f);
      System.arraycopy(inp, inpOff, out, outOff, n);
      return;
    }
    float scale = 1 / (1 - p);
    int threshold = dropThreshold(p);
    // One SplitMix64 hash yields four 16-bit draws for the absolute indices 4g .. 4g+3, so element
    // (key + i) gets the same draw however the caller splits the range (one hash per element was
    // the largest single frame of a SASRec step's profile).
    int i = 0;
    // elements before the first index of a group of four, then whole groups, then the tail
    while (i < n && ((key + i) & 3) != 0) {
      keep(out, outOff, mask, maskOff, inp, inpOff, i, mix(seed, (key + i) >> 2), (int) ((key + i) & 3), threshold,
          scale);
      i++;
    }
    for (; i + 3 < n; i += 4) {
      long hash = mix(seed, (key + i) >> 2);
      keep(out, outOff, mask, maskOff, inp, inpOff, i, hash, 0, threshold, scale);
      keep(out, outOff, mask, maskOff, inp, inpOff, i + 1, hash, 1, threshold, scale);
      keep(out, outOff, mask, maskOff, inp, inpOff, i + 2, hash, 2, threshold, scale);
      keep(out, outOff, mask, maskOff, inp, inpOff, i + 3, hash, 3, threshold, scale);
    }
    if (i < n) {
      long hash = mix(seed, (key + i) >> 2);
      for (int lane = 0; i < n; i++, lane++) {
        keep(out, outOff, mask, maskOff, inp, inpOff, i, hash, lane, threshold, scale);
      }
    }
  }

  /** Element {@code i}'s keep decision: the 16-bit draw {@code lane} of its group's hash. */
  private static void keep(float[] out, int outOff, float[] mask, int maskOff, float[] inp, int inpOff, int i,
      long hash, int lane, int threshold, float scale) {
    int draw = (int) (hash >>> (16 * lane)) & 0xFFFF;
    float m = draw < threshold ? 0f : scale;
    mask[maskOff + i] = m;
    out[outOff + i] = inp[inpOff + i] * m;
  }

  /** Elements whose 16-bit draw is below this are dropped: p rounded to a multiple of 2⁻¹⁶. */
  static int dropThreshold(float p) {
    return Math.round(p * 65536f);
  }

  /** In the forward pass out = inp · mask, so dinp += dout · mask. */
  public static void backward(float[] dinp, int dinpOff, float[] dout, int doutOff, float[] mask, int maskOff,
      int n) {
    for (int i = 0; i < n; i++) {
      dinp[dinpOff + i] += dout[doutOff + i] * mask[maskOff + i];
    }
  }

  /** SplitMix64's finaliser of {@code seed} and {@code index}: 64 well-mixed bits. */
  static long mix(long seed, long index) {
    long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
