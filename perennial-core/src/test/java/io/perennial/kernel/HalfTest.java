package io.perennial.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfTest {

  /** float, its half's bits (IEEE 754 binary16, round to nearest even). */
  private static final Object[][] REFERENCE = {
      {0f, 0x0000}, {-0f, 0x8000}, {1f, 0x3c00}, {-2f, 0xc000}, {0.5f, 0x3800}, {0.1f, 0x2e66},
      {1f / 3, 0x3555}, {3.140625f, 0x4248}, {65504f, 0x7bff}, {-65504f, 0xfbff},
      {65519.996f, 0x7bff}, // just under half-way past the largest half: rounds down
      {65520f, 0x7c00}, // half-way: ties to even, which is infinity
      {1e6f, 0x7c00}, {Float.POSITIVE_INFINITY, 0x7c00}, {Float.NEGATIVE_INFINITY, 0xfc00},
      {0x1p-14f, 0x0400}, // smallest normal
      {0x1.ff8p-15f, 0x03ff}, {0x1.ffcp-15f, 0x0400}, // largest subnormal rounded up into the normals
      {0x1p-24f, 0x0001}, // smallest subnormal
      {-0x1p-24f, 0x8001},
      {0x1p-25f, 0x0000}, // half of it: ties to even, zero
      {0x1.000002p-25f, 0x0001}, // just over half: up
      {0x1.8p-24f, 0x0002}, // 1.5 ulps: tie to even (2)
      {0x1.4p-23f, 0x0002}, // 2.5 ulps: tie to even (2)
      {1e-8f, 0x0000}, {Float.MIN_VALUE, 0x0000},
      {1f + 0x1p-11f, 0x3c00}, // tie between 0x3c00 and 0x3c01: even
      {1f + 0x3p-11f, 0x3c02}, // tie between 0x3c01 and 0x3c02: even
      {0x1.002002p0f, 0x3c01}, // just over the tie (1 + 2^-11 + 2^-23)
      {2047f, 0x67ff}, {2049f, 0x6800}, {2051f, 0x6802},
  };

  @Test
  void matchesTheReferenceValues() {
    for (Object[] row : REFERENCE) {
      float value = (Float) row[0];
      int bits = (Integer) row[1];
      assertThat(Half.fromFloat(value) & 0xffff).as("fromFloat(%s)", Float.toHexString(value)).isEqualTo(bits);
      if ((bits & 0x7c00) != 0x7c00 && Float.isFinite(value)) {
        // the decoded value is the nearest half: within half a half-ulp of the input
        float back = Half.toFloat((short) bits);
        float step = Half.toFloat((short) ((bits & 0x7fff) + 1)) - Math.abs(back);
        assertThat((double) Math.abs(back - value)).isLessThanOrEqualTo(step / 2.0);
      }
    }
    assertThat(Half.toFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(Half.toFloat((short) 0xfc00)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(Half.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(Half.toFloat((short) 0x3c01)).isEqualTo(1f + 0x1p-10f);
    assertThat(Float.floatToRawIntBits(Half.toFloat((short) 0x8000))).isEqualTo(0x80000000);
    assertThat(Half.toFloat((short) 0x7e00)).isNaN();
    assertThat(Half.fromFloat(Float.NaN) & 0x7c00).isEqualTo(0x7c00);
    assertThat(Half.fromFloat(Float.NaN) & 0x3ff).isNotZero();
    assertThat(Half.fromFloat(Float.intBitsToFloat(0x7f800001)) & 0x3ff).as("a payload below the kept bits")
        .isNotZero();
  }

  @Test
  void everyHalfRoundTripsBitForBit() {
    for (int h = 0; h < 1 << 16; h++) {
      float f = Half.toFloat((short) h);
      assertThat(Half.fromFloat(f) & 0xffff).as("half 0x%04x", h).isEqualTo(h);
    }
  }

  @Test
  void roundsEveryFloatToTheNearestHalfTiesToEven() {
    // against an independent rule: the nearer of the two halves around the value, in doubles
    SplittableRandom random = new SplittableRandom(17);
    for (int n = 0; n < 200_000; n++) {
      float v = n % 2 == 0 ? Float.intBitsToFloat(random.nextInt()) : (float) (random.nextGaussian() * 0.3);
      if (!Float.isFinite(v) || Math.abs(v) >= 65520f) {
        continue;
      }
      short h = Half.fromFloat(v);
      int magnitudeBits = h & 0x7fff;
      double got = Half.toFloat((short) magnitudeBits);
      double below = magnitudeBits == 0 ? -1 : Half.toFloat((short) (magnitudeBits - 1));
      double above = Half.toFloat((short) (magnitudeBits + 1));
      double x = Math.abs(v);
      assertThat(Math.abs(got - x)).as("%s", Float.toHexString(v)).isLessThanOrEqualTo(Math.abs(above - x));
      if (below >= 0) {
        assertThat(Math.abs(got - x)).as("%s", Float.toHexString(v)).isLessThanOrEqualTo(Math.abs(below - x));
      }
      if (Math.abs(got - x) == Math.abs(above - x) || (below >= 0 && Math.abs(got - x) == Math.abs(below - x))) {
        assertThat(magnitudeBits & 1).as("tie at %s goes to even", Float.toHexString(v)).isZero();
      }
      assertThat(h < 0).isEqualTo(Float.floatToRawIntBits(v) < 0);
    }
  }

  @Test
  void agreesWithTheJdkConversionWhereTheJdkHasIt() throws Throwable {
    MethodHandle jdk;
    try {
      jdk = MethodHandles.publicLookup().findStatic(Float.class, "floatToFloat16",
          MethodType.methodType(short.class, float.class));
    } catch (NoSuchMethodException e) {
      // JDK 17-19: the reference table and the nearest-half rule above are the check
      assertThat(Runtime.version().feature()).isLessThan(20);
      return;
    }
    SplittableRandom random = new SplittableRandom(5);
    for (int n = 0; n < 1_000_000; n++) {
      float v = Float.intBitsToFloat(n < 500_000 ? random.nextInt() : 0x33000000 + random.nextInt(0x14800000));
      if (Float.isNaN(v)) {
        continue;
      }
      assertThat(Half.fromFloat(v)).as("%s", Float.toHexString(v)).isEqualTo((short) jdk.invokeExact(v));
    }
  }

  @Test
  void fp16TablesKeepEachElementWithinHalfAnUlpAndRefuseWhatAHalfCannotHold() {
    SplittableRandom random = new SplittableRandom(3);
    int rows = 50;
    int dims = 24;
    float[] values = new float[rows * dims];
    for (int n = 0; n < values.length; n++) {
      values[n] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 3)));
    }
    Fp16Table table = Fp16Table.quantize(values, rows, dims);
    assertThat(table.bytes()).isEqualTo(2L * rows * dims);
    float[] query = new float[dims];
    for (int d = 0; d < dims; d++) {
      query[d] = (float) random.nextGaussian();
    }
    float[] scores = new float[rows];
    table.scoreRows(query, rows, scores);
    for (int r = 0; r < rows; r++) {
      double exact = 0;
      double bound = 0;
      double magnitude = 0;
      for (int d = 0; d < dims; d++) {
        float v = values[r * dims + d];
        assertThat((double) Math.abs(table.value(r, d) - v)).isLessThanOrEqualTo(table.maxRoundTripError(r));
        exact += (double) query[d] * v;
        bound += Math.abs(query[d]) * table.maxRoundTripError(r);
        magnitude += Math.abs(query[d] * v);
      }
      // the halves' error, plus the float sum's own rounding
      assertThat((double) Math.abs(scores[r] - exact)).isLessThanOrEqualTo(bound + 1e-5 * magnitude + 1e-6);
      assertThat(table.dot(r, query, 0)).isEqualTo(scores[r]);
    }
    // appending rows grows the table; a re-coded row reads back its new values
    float[] row = new float[dims];
    java.util.Arrays.fill(row, 0.25f);
    table.setRow(rows, row, 0);
    table.setRow(0, row, 0);
    assertThat(table.rows()).isEqualTo(rows + 1);
    assertThat(table.value(rows, 3)).isEqualTo(0.25f);
    assertThat(table.value(0, 5)).isEqualTo(0.25f);
    assertThatThrownBy(() -> Fp16Table.quantize(new float[] {1f, 70000f}, 1, 2)).hasMessageContaining("beyond ±65504");
    assertThatThrownBy(() -> Fp16Table.quantize(new float[] {Float.NaN, 0f}, 1, 2)).hasMessageContaining("not finite");
    assertThatThrownBy(() -> new Fp16Table(1, 2, new short[] {0, 0x7c00})).hasMessageContaining("not finite");
  }
}
