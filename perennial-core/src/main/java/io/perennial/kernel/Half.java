package io.perennial.kernel;

/**
 * IEEE 754 binary16 ("half") conversions, written out because {@code Float.floatToFloat16} and
 * {@code Float.float16ToFloat} arrive only in JDK 20 and the code is compiled for release 17.
 * {@link #fromFloat} rounds to nearest, ties to even, produces subnormals below {@code 2^-14}, and
 * overflows to infinity at {@code 65520} (half-way past the largest half, 65504); {@link #toFloat}
 * is exact (every half is a float). NaN keeps its sign and the top ten bits of its payload (a quiet
 * bit is set if they are all zero), so every half survives a round trip bit for bit.
 */
public final class Half {

  private Half() {}

  /** Positive infinity's bits. */
  public static final short POSITIVE_INFINITY = 0x7c00;
  /** The largest finite half, 65504. */
  public static final float MAX_VALUE = 65504f;

  /** Every half's float value, indexed by its bits as an unsigned short: widening is one load. */
  private static final float[] TO_FLOAT = new float[1 << 16];

  static {
    for (int h = 0; h < TO_FLOAT.length; h++) {
      TO_FLOAT[h] = decode(h);
    }
  }

  /** The float {@code half}'s bits stand for. */
  public static float toFloat(short half) {
    return TO_FLOAT[half & 0xffff];
  }

  private static float decode(int h) {
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0) {
      // zero or subnormal: mantissa × 2^-24, exact in a float
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  /** The half nearest {@code value} (ties to even). */
  public static short fromFloat(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int magnitude = bits & 0x7fffffff;
    if (magnitude >= 0x7f800000) {
      if (magnitude == 0x7f800000) {
        return (short) (sign | POSITIVE_INFINITY);
      }
      int payload = (magnitude >>> 13) & 0x3ff;
      return (short) (sign | 0x7c00 | (payload == 0 ? 0x200 : payload));
    }
    if (magnitude >= 0x477ff000) {
      return (short) (sign | POSITIVE_INFINITY); // 65520 and up: past half-way to the next power of two
    }
    if (magnitude < 0x38800000) {
      // below 2^-14: a subnormal half, mantissa = value × 2^24 rounded half-even (the scaling is
      // exact; rint rounds ties to even); 1024 is the smallest normal, whose bits are the same
      int mantissa = (int) Math.rint(Float.intBitsToFloat(magnitude) * 0x1p24);
      return (short) (sign | mantissa);
    }
    int half = (((magnitude >>> 23) - 127 + 15) << 10) | ((magnitude >>> 13) & 0x3ff);
    int rest = magnitude & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      half++; // a carry out of the mantissa steps the exponent, as it should
    }
    return (short) (sign | half);
  }
}
