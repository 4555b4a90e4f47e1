package io.perennial.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DenseSolverTest {

  /** A random symmetric positive-definite matrix BᵀB + nI. */
  private static double[] spd(int n, SplittableRandom r) {
    double[] b = new double[n * n];
    for (int i = 0; i < b.length; i++) {
      b[i] = r.nextDouble() * 2 - 1;
    }
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += b[k * n + i] * b[k * n + j];
        }
        a[i * n + j] = s + (i == j ? n : 0);
      }
    }
    return a;
  }

  @Test
  void choleskySolvesRandomSystems() {
    SplittableRandom r = new SplittableRandom(1);
    for (int n : new int[] {1, 2, 5, 16, 64}) {
      double[] a = spd(n, r);
      double[] original = a.clone();
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = r.nextDouble();
      }
      double[] b = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          b[i] += original[i * n + j] * x[j];
        }
      }
      DenseSolver.choleskySolve(a, b, n);
      for (int i = 0; i < n; i++) {
        assertThat(b[i]).as("n=%d x[%d]", n, i).isCloseTo(x[i], within(1e-9));
      }
    }
  }

  @Test
  void choleskyRejectsIndefiniteMatrices() {
    double[] a = {1, 2, 2, 1};
    assertThatThrownBy(() -> DenseSolver.choleskySolve(a, new double[2], 2))
        .isInstanceOf(ArithmeticException.class).hasMessageContaining("not positive definite");
  }

  @Test
  void conjugateGradientReachesTheExactSolution() {
    SplittableRandom r = new SplittableRandom(2);
    int n = 12;
    double[] a = spd(n, r);
    float[] af = new float[n * n];
    for (int i = 0; i < a.length; i++) {
      af[i] = (float) a[i];
    }
    float[] b = new float[n];
    double[] bd = new double[n];
    for (int i = 0; i < n; i++) {
      b[i] = (float) r.nextDouble();
      bd[i] = b[i];
    }
    DenseSolver.choleskySolve(a.clone(), bd, n);
    float[] x = new float[n];
    int steps = DenseSolver.conjugateGradient(
        (v, out) -> {
          for (int i = 0; i < n; i++) {
            out[i] = VectorOps.dot(af, i * n, v, 0, n);
          }
        }, b, x, n, 50, 1e-12f, new float[n], new float[n], new float[n]);
    assertThat(steps).isLessThanOrEqualTo(50).isPositive();
    for (int i = 0; i < n; i++) {
      assertThat((double) x[i]).isCloseTo(bd[i], within(1e-4));
    }
  }
}
