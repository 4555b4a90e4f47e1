package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.perennial.model.FactorModel;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VectorStructureTest {

  @Test
  void jacobiFindsTheEigenvaluesOfARotatedDiagonal() {
    // R diag(5, 2, 1) Rᵀ for a rotation by 30° in the (0, 1) plane and 45° in the (1, 2) plane
    double[] values = {5, 2, 1};
    double c1 = Math.cos(Math.PI / 6);
    double s1 = Math.sin(Math.PI / 6);
    double c2 = Math.cos(Math.PI / 4);
    double s2 = Math.sin(Math.PI / 4);
    double[][] r1 = {{c1, -s1, 0}, {s1, c1, 0}, {0, 0, 1}};
    double[][] r2 = {{1, 0, 0}, {0, c2, -s2}, {0, s2, c2}};
    double[][] r = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 3; k++) {
          r[i][j] += r1[i][k] * r2[k][j];
        }
      }
    }
    double[] m = new double[9];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 3; k++) {
          m[i * 3 + j] += r[i][k] * values[k] * r[j][k];
        }
      }
    }
    double[] found = VectorStructure.symmetricEigenvalues(m, 3);
    assertThat(found[0]).isCloseTo(5, within(1e-9));
    assertThat(found[1]).isCloseTo(2, within(1e-9));
    assertThat(found[2]).isCloseTo(1, within(1e-9));
  }

  @Test
  void aDecayingSpectrumConcentratesTheTableInAFewDirections() {
    int[] queries = IntStream.range(0, 50).toArray();
    FactorModel flat = SearchBenchCommand.generated(200, 3_000, 32, 0, 5);
    FactorModel decaying = SearchBenchCommand.generated(200, 3_000, 32, 1, 5);
    VectorStructure a = VectorStructure.of(flat, flat.itemCount(), queries, 1);
    VectorStructure b = VectorStructure.of(decaying, decaying.itemCount(), queries, 1);
    // flat: no direction much above 1/33 of the moment; decay 1: the first carries about 1/H(32) ≈ 0.25
    assertThat(a.topShare()[0]).isLessThan(0.1);
    assertThat(b.topShare()[0]).isGreaterThan(0.15);
    assertThat(b.effectiveRank()).isLessThan(a.effectiveRank() / 2);
    assertThat(a.topShare()[2]).isGreaterThan(a.topShare()[1]).isGreaterThan(a.topShare()[0]);
    assertThat(b.top10Z()).isPositive();
    assertThat(b.neighbourCosine()).isBetween(-1.0, 1.0);
  }
}
