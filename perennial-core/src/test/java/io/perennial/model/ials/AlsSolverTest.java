package io.perennial.model.ials;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AlsSolverTest {

  /** Two items along the two axes; row 0 saw only the first, row 1 nothing. */
  private static final float[] ITEMS = {2f, 0f, 0f, 1f};

  private static ConfidenceRows rows() {
    io.perennial.model.UserHistory history = new io.perennial.model.UserHistory(2);
    history.add(0, 0, 1f);
    return ConfidenceRows.ofUsers(history);
  }

  @Test
  void theFisherDiagonalIsTheRowsCurvaturePerDimensionWithMeanOne() {
    float[] gram = AlsSolver.gram(ITEMS, 2, 2);
    float[] fisher = AlsSolver.fisherDiagonal(2, ITEMS, gram, 2, rows(), 10f);
    double sum = 0;
    for (float f : fisher) {
      sum += f;
    }
    assertThat(sum / fisher.length).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    // unnormalised: row 0 = (4 + 10·4, 1), row 1 = (4, 1); the evidence on item 0 pins dimension 0
    assertThat(fisher[0] / fisher[1]).isCloseTo(44f, org.assertj.core.data.Offset.offset(1e-3f));
    assertThat(fisher[2] / fisher[3]).isCloseTo(4f, org.assertj.core.data.Offset.offset(1e-3f));
    assertThat(fisher[0]).isGreaterThan(fisher[2]);
  }
}
