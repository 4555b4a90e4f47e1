package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.DoubleSupplier;

/**
 * Central finite-difference gradient checks for hand-derived backward passes.
 *
 * <p>For each checked coordinate {@code x} of a parameter or input array, the numeric derivative
 * is {@code (L(x + h) - L(x - h)) / 2h}, with {@code L} the scalar loss recomputed by a full forward
 * pass. It is compared with the analytic gradient by the relative error {@code |a - n| / max(|a| +
 * |n|, floor)}: float32 forward passes make {@code 1e-2} at {@code h = 1e-2} a sound bar for smooth
 * functions (the error of the difference quotient is O(h²), the rounding error O(ε/h)). Kinked
 * functions (ReLU) should be checked with a smooth stand-in or away from the kinks.
 */
public final class GradientCheck {

  /** Step of the central difference. */
  public static final double STEP = 1e-2;
  /** Largest accepted relative error. */
  public static final double TOLERANCE = 1e-2;
  /** Denominator floor, so gradients that are both near zero compare absolutely. */
  private static final double FLOOR = 1e-3;

  private GradientCheck() {}

  /**
   * Asserts that {@code analytic[i]} is the derivative of {@code loss} with respect to {@code
   * values[i]}, for every {@code stride}-th coordinate (all of them with stride 1). {@code loss}
   * must read {@code values} afresh on every call; the array is restored after each probe.
   *
   * @return the largest relative error seen, for reporting
   */
  public static double assertGradient(String name, float[] values, float[] analytic, DoubleSupplier loss,
      int stride) {
    assertThat(analytic).as("%s gradient length", name).hasSameSizeAs(values);
    double worst = 0;
    for (int i = 0; i < values.length; i += Math.max(1, stride)) {
      float saved = values[i];
      values[i] = (float) (saved + STEP);
      double up = loss.getAsDouble();
      values[i] = (float) (saved - STEP);
      double down = loss.getAsDouble();
      values[i] = saved;
      double numeric = (up - down) / (2 * STEP);
      double error = Math.abs(analytic[i] - numeric) / Math.max(Math.abs(analytic[i]) + Math.abs(numeric), FLOOR);
      worst = Math.max(worst, error);
      assertThat(error)
          .as("%s[%d]: analytic %s, numeric %s", name, i, analytic[i], numeric)
          .isLessThanOrEqualTo(TOLERANCE);
    }
    return worst;
  }

  /** {@link #assertGradient(String, float[], float[], DoubleSupplier, int)} over every coordinate. */
  public static double assertGradient(String name, float[] values, float[] analytic, DoubleSupplier loss) {
    return assertGradient(name, values, analytic, loss, 1);
  }
}
