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

  // ---- the batch path against its slow references ----

  private static final int K = 64;

  private static float[] randomTable(int rows, int k, long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    float[] t = new float[rows * k];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) (r.nextGaussian() * 0.3);
    }
    return t;
  }

  /** 90 users over 300 items, 0–60 items each (user 7 has none), values 1–3. */
  private static io.perennial.model.UserHistory history() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    io.perennial.model.UserHistory h = new io.perennial.model.UserHistory(90);
    for (int u = 0; u < 90; u++) {
      int n = u == 7 ? 0 : r.nextInt(61);
      for (int e = 0; e < n; e++) {
        h.add(u, r.nextInt(300), 1 + r.nextInt(3));
      }
    }
    return h;
  }

  private static IalsConfig config(int threads) {
    IalsConfig d = IalsConfig.defaults();
    return new IalsConfig(K, 1, d.regularization(), d.alpha(), 3, d.initScale(), threads, 1L, 2, 10_000, 1f);
  }

  @Test
  void theBlockedGramMatchesTheDoubleProductOnAnyThreadCount() {
    int rows = 1300; // five blocks and a partial one
    float[] table = randomTable(rows, K, 11);
    float[] one = AlsSolver.gram(table, rows, K, 1);
    for (int a = 0; a < K; a++) {
      for (int b = 0; b < K; b++) {
        double exact = 0;
        for (int r = 0; r < rows; r++) {
          exact += (double) table[r * K + a] * table[r * K + b];
        }
        assertThat((double) one[a * K + b]).as("G(%d,%d)", a, b)
            .isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(exact))));
      }
    }
    assertThat(AlsSolver.gram(table, rows, K, 3)).containsExactly(one);
  }

  /** Per row through the scalar CG of {@link io.perennial.kernel.DenseSolver}, as before the chunked path. */
  private static float[] solvedOneRowAtATime(float[] start, int[] targets, float[] others, float[] gram,
      io.perennial.model.UserHistory h, AlsSolver.Anchor anchor) {
    float[] out = start.clone();
    IalsConfig c = config(1);
    AlsSolver.Workspace ws = new AlsSolver.Workspace(K);
    for (int r : targets) {
      AlsSolver.solveRow(out, r, others, gram, K, h.items(r), h.values(r), c.regularization(), c.alpha(),
          c.cgSteps(), ws, anchor);
    }
    return out;
  }

  private static void assertSameRows(float[] actual, float[] expected) {
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("entry %d", i)
          .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(2e-4f * Math.max(1f, Math.abs(expected[i]))));
    }
  }

  @Test
  void theChunkedSolveMatchesTheRowByRowSolve() {
    io.perennial.model.UserHistory h = history();
    float[] items = randomTable(300, K, 3);
    float[] users = randomTable(90, K, 4);
    float[] gram = AlsSolver.gram(items, 300, K);
    int[] all = java.util.stream.IntStream.range(0, 90).toArray();
    float[] expected = solvedOneRowAtATime(users, all, items, gram, h, null);
    float[] chunked = users.clone();
    AlsSolver.solveAll(chunked, 90, null, items, gram, K, ConfidenceRows.ofUsers(h), config(2));
    assertSameRows(chunked, expected);
    assertThat(java.util.Arrays.copyOfRange(chunked, 7 * K, 8 * K)).as("a user without items").containsOnly(0f);
    // the rows changed: a test of a solve that does nothing would pass the comparison above too
    assertThat(VectorOpsDistance.of(chunked, users)).isGreaterThan(1f);
  }

  @Test
  void theChunkedSolveMatchesTheRowByRowSolveWithAnchorsOnChosenRows() {
    io.perennial.model.UserHistory h = history();
    float[] items = randomTable(300, K, 3);
    float[] users = randomTable(90, K, 4);
    float[] earlier = randomTable(90, K, 8);
    float[] gram = AlsSolver.gram(items, 300, K);
    int[] chosen = {0, 3, 7, 8, 40, 41, 42, 89};
    float[] fisher = AlsSolver.fisherDiagonal(90, items, gram, K, ConfidenceRows.ofUsers(h), 2f);
    for (AlsSolver.Anchor anchor : new AlsSolver.Anchor[] {
        new AlsSolver.Anchor(20f, earlier, 60, null), new AlsSolver.Anchor(20f, earlier, 60, fisher)}) {
      float[] expected = solvedOneRowAtATime(users, chosen, items, gram, h, anchor);
      float[] chunked = users.clone();
      AlsSolver.solveAll(chunked, 90, chosen, items, gram, K, ConfidenceRows.ofUsers(h), config(2), anchor);
      assertSameRows(chunked, expected);
      assertThat(java.util.Arrays.copyOfRange(chunked, K, 2 * K)).as("a row not chosen")
          .containsExactly(java.util.Arrays.copyOfRange(users, K, 2 * K));
    }
  }

  @Test
  void theChunkedSolveGivesTheSameRowsOnAnyThreadCount() {
    io.perennial.model.UserHistory h = history();
    float[] items = randomTable(300, K, 3);
    float[] users = randomTable(90, K, 4);
    float[] gram = AlsSolver.gram(items, 300, K);
    float[] one = users.clone();
    AlsSolver.solveAll(one, 90, null, items, gram, K, ConfidenceRows.ofUsers(h), config(1));
    float[] three = users.clone();
    AlsSolver.solveAll(three, 90, null, items, gram, K, ConfidenceRows.ofUsers(h), config(3));
    assertThat(three).containsExactly(one);
  }

  @Test
  void chunksCoverEveryTargetOnceAndBalanceTheirCost() {
    io.perennial.model.UserHistory h = history();
    ConfidenceRows rows = ConfidenceRows.ofUsers(h);
    int[] bounds = rows.chunks(null, 90, K, 8);
    assertThat(bounds[0]).isZero();
    assertThat(bounds[bounds.length - 1]).isEqualTo(90);
    for (int c = 0; c + 1 < bounds.length; c++) {
      assertThat(bounds[c + 1] - bounds[c]).isBetween(1, 8);
    }
    // the item side is the transpose: same entries, columns back to users
    ConfidenceRows byItem = ConfidenceRows.ofItems(h, 300, null);
    assertThat(byItem.nonZeros()).isEqualTo(rows.nonZeros());
    int item = h.items(3)[0];
    boolean found = false;
    for (int n = byItem.start(item); n < byItem.end(item); n++) {
      found |= byItem.cols()[n] == 3;
    }
    assertThat(found).isTrue();
  }

  /** Euclidean distance of two tables. */
  private static final class VectorOpsDistance {
    static float of(float[] a, float[] b) {
      return (float) Math.sqrt(io.perennial.kernel.VectorOps.squaredDistance(a, 0, b, 0, a.length));
    }
  }
}
