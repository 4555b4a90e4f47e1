package io.perennial.model.ials;

import io.perennial.kernel.DenseSolver;
import io.perennial.kernel.VectorOps;
import io.perennial.model.Parallel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The iALS row update, shared by training, {@code partialFit} and fold-in. Pure functions of their
 * inputs.
 */
final class AlsSolver {

  private AlsSolver() {}

  /** Rows of one Gram block: its float product is exact enough, and blocks add up in double. */
  static final int GRAM_BLOCK_ROWS = 256;
  /** Fixed stripes of blocks, each summed in its own double accumulator, then in stripe order. */
  private static final int GRAM_STRIPES = 8;

  /** {@code YᵀY} of a row-major {@code rows × k} table, as a {@code k × k} float matrix, on one thread. */
  static float[] gram(float[] table, int rows, int k) {
    return gram(table, rows, k, 1);
  }

  /**
   * {@code YᵀY} of a row-major {@code rows × k} table on up to {@code threads} threads: blocks of
   * {@link #GRAM_BLOCK_ROWS} rows through the register-blocked float product ({@code matMulTransA}),
   * accumulated in double per stripe of consecutive blocks and the stripes summed in order. The
   * stripes are fixed by the row count, so the result does not depend on {@code threads}.
   */
  static float[] gram(float[] table, int rows, int k, int threads) {
    int blocks = (rows + GRAM_BLOCK_ROWS - 1) / GRAM_BLOCK_ROWS;
    int stripes = Math.max(1, Math.min(GRAM_STRIPES, blocks));
    double[][] partial = new double[stripes][];
    AtomicInteger next = new AtomicInteger();
    Runnable worker = () -> {
      float[] block = new float[k * k];
      int stripe;
      while ((stripe = next.getAndIncrement()) < stripes) {
        double[] sum = new double[k * k];
        int from = (int) ((long) blocks * stripe / stripes);
        int to = (int) ((long) blocks * (stripe + 1) / stripes);
        for (int b = from; b < to; b++) {
          int r0 = b * GRAM_BLOCK_ROWS;
          int n = Math.min(GRAM_BLOCK_ROWS, rows - r0);
          VectorOps.matMulTransA(table, r0 * k, table, r0 * k, block, 0, k, n, k, false);
          for (int e = 0; e < sum.length; e++) {
            sum[e] += block[e];
          }
        }
        partial[stripe] = sum;
      }
    };
    Parallel.run(worker, Math.min(threads, stripes));
    float[] out = new float[k * k];
    for (int e = 0; e < out.length; e++) {
      double total = 0;
      for (double[] stripeSum : partial) {
        total += stripeSum[e];
      }
      out[e] = (float) total;
    }
    return out;
  }

  /** {@code gram += sign · y yᵀ} for row {@code row} of {@code table}: a rank-one Gram update. */
  static void addOuter(float[] gram, float[] table, int row, int k, float sign) {
    int o = row * k;
    for (int a = 0; a < k; a++) {
      float ya = sign * table[o + a];
      if (ya != 0) {
        VectorOps.axpy(ya, table, o, gram, a * k, k);
      }
    }
  }

  /** Extra confidence below which a row's term in the system matrix is dropped. */
  static final float NEGLIGIBLE_CONFIDENCE = 1e-3f;

  /**
   * {@code gram += y_new y_newᵀ − y_old y_oldᵀ} for a row that changed from {@code before} to its
   * current value in {@code table}: one fused pass instead of two rank-one updates.
   */
  static void replaceOuter(float[] gram, float[] before, float[] table, int row, int k) {
    int o = row * k;
    for (int a = 0; a < k; a++) {
      // two lane-wise passes over G's row: the plain double loop did not vectorise
      VectorOps.axpy(table[o + a], table, o, gram, a * k, k);
      VectorOps.axpy(-before[a], before, 0, gram, a * k, k);
    }
  }

  /** Per-thread scratch for {@link #solveRow}. */
  static final class Workspace {
    int[] rows = new int[64];
    /** The significant entries' columns and values, contiguous for the fused kernel. */
    int[] compactCols = new int[64];
    float[] compactValues = new float[64];
    final float[] b;
    final float[] residual;
    final float[] direction;
    final float[] ad;
    final float[] x;

    final float[] previous;
    /** Per-dimension anchor strengths of the row being solved (EWC); unused without Fisher weights. */
    final float[] anchorDiagonal;

    Workspace(int k) {
      previous = new float[k];
      anchorDiagonal = new float[k];
      b = new float[k];
      residual = new float[k];
      direction = new float[k];
      ad = new float[k];
      x = new float[k];
    }
  }

  /**
   * Updates row {@code row} of {@code target} by {@code cgSteps} CG steps on
   * {@code (G + λI + Σ_j α r_j y_j y_jᵀ) x = Σ_j (1 + α r_j) y_j}, warm-started from its current value.
   *
   * @param others the fixed side's table
   * @param gram {@code YᵀY} of {@code others}
   * @param cols the row's observed columns in {@code others}
   * @param values their values r_j
   */
  static void solveRow(float[] target, int row, float[] others, float[] gram, int k, int[] cols,
      float[] values, float regularization, float alpha, int cgSteps, Workspace ws) {
    solveRow(target, row, others, gram, k, cols, values, regularization, alpha, cgSteps, ws, null);
  }

  /**
   * An L2 pull toward earlier values: adds {@code strength · ‖x − x₀‖²} to a row's objective, i.e.
   * {@code strength · I} to A and {@code strength · x₀} to b, for rows below {@code rows}. With
   * {@code fisher} (same layout as {@code table}, or null) the pull is weighted per parameter,
   * {@code strength · Σ_d F_d (x_d − x₀_d)²} (elastic weight consolidation): {@code strength · diag(F)}
   * joins A and {@code strength · F ∘ x₀} joins b.
   */
  record Anchor(float strength, float[] table, int rows, float[] fisher) {}

  /**
   * The diagonal Fisher information of each row's squared loss, normalised to mean 1 over the
   * table: for row u against the fixed side Y, the Gauss–Newton matrix is {@code YᵀC_uY}, whose
   * diagonal is {@code G_dd + Σ_j α r_j y_jd²}. Dimensions the row's evidence pins down get the
   * strongest pull; dimensions it says little about stay free to learn.
   */
  static float[] fisherDiagonal(int count, float[] others, float[] gram, int k, ConfidenceRows rows, float alpha) {
    float[] fisher = new float[count * k];
    double sum = 0;
    for (int r = 0; r < count; r++) {
      int o = r * k;
      for (int d = 0; d < k; d++) {
        fisher[o + d] = gram[d * k + d];
      }
      int[] cols = rows.cols();
      float[] values = rows.values();
      for (int n = rows.start(r); n < rows.end(r); n++) {
        float w = alpha * values[n];
        int yo = cols[n] * k;
        for (int d = 0; d < k; d++) {
          float y = others[yo + d];
          fisher[o + d] += w * y * y;
        }
      }
      for (int d = 0; d < k; d++) {
        sum += fisher[o + d];
      }
    }
    if (sum > 0) {
      float scale = (float) (fisher.length / sum);
      for (int p = 0; p < fisher.length; p++) {
        fisher[p] *= scale;
      }
    }
    return fisher;
  }

  /** As {@link #solveRow(float[], int, float[], float[], int, int[], float[], float, float, int, Workspace)} with an optional anchor. */
  static void solveRow(float[] target, int row, float[] others, float[] gram, int k, int[] cols,
      float[] values, float regularization, float alpha, int cgSteps, Workspace ws, Anchor anchor) {
    int o = row * k;
    boolean anchored = anchor != null && row < anchor.rows();
    if (cols.length == 0 && !anchored) {
      // No evidence: the minimiser of λ‖x‖² + xᵀGx is 0.
      java.util.Arrays.fill(target, o, o + k, 0f);
      return;
    }
    java.util.Arrays.fill(ws.b, 0f);
    for (int n = 0; n < cols.length; n++) {
      VectorOps.axpy(1 + alpha * values[n], others, cols[n] * k, ws.b, 0, k);
    }
    float lambda = regularization;
    float[] diagonal = null;
    if (anchored && anchor.fisher() != null) {
      diagonal = ws.anchorDiagonal;
      for (int d = 0; d < k; d++) {
        diagonal[d] = anchor.strength() * anchor.fisher()[o + d];
        ws.b[d] += diagonal[d] * anchor.table()[o + d];
      }
    } else if (anchored) {
      VectorOps.axpy(anchor.strength(), anchor.table(), o, ws.b, 0, k);
      lambda += anchor.strength();
    }
    conjugateGradient(target, row, others, gram, k, cols, values, lambda, diagonal, alpha, cgSteps, ws,
        significantRows(cols, values, alpha, ws));
  }

  /**
   * As {@link #solveRow}, with {@code b = base + Σ_j α r_j y_j} over the rows whose extra confidence
   * is not negligible, where {@code base = Σ_j y_j} over all the row's columns is kept by the caller
   * (the online update maintains it per user instead of re-summing a long history every event).
   */
  static void solveRowWithBase(float[] target, int row, float[] others, float[] gram, int k, int[] cols,
      float[] values, float regularization, float alpha, int cgSteps, Workspace ws, float[] base, int baseOffset) {
    if (cols.length == 0) {
      java.util.Arrays.fill(target, row * k, row * k + k, 0f);
      return;
    }
    System.arraycopy(base, baseOffset, ws.b, 0, k);
    int count = significantRows(cols, values, alpha, ws);
    for (int m = 0; m < count; m++) {
      int n = ws.rows[m];
      VectorOps.axpy(alpha * values[n], others, cols[n] * k, ws.b, 0, k);
    }
    conjugateGradient(target, row, others, gram, k, cols, values, regularization, null, alpha, cgSteps, ws, count);
  }

  /**
   * Collects into {@code ws.rows} the positions whose extra confidence α·r is not negligible next
   * to λ: only those change the system matrix. With recency decay most of a long history drops out,
   * so the CG operator visits just the recent, weighty rows. Returns how many.
   */
  private static int significantRows(int[] cols, float[] values, float alpha, Workspace ws) {
    if (ws.rows.length < cols.length) {
      ws.rows = new int[Math.max(cols.length, ws.rows.length * 2)];
    }
    int significant = 0;
    for (int n = 0; n < cols.length; n++) {
      if (alpha * values[n] >= NEGLIGIBLE_CONFIDENCE) {
        ws.rows[significant++] = n;
      }
    }
    return significant;
  }

  /** CG on the row's system with {@code ws.b} already holding the right-hand side. */
  private static void conjugateGradient(float[] target, int row, float[] others, float[] gram, int k,
      int[] cols, float[] values, float regularization, float[] diagonal, float alpha, int cgSteps, Workspace ws,
      int count) {
    int o = row * k;
    if (ws.compactCols.length < count) {
      ws.compactCols = new int[Math.max(count, ws.compactCols.length * 2)];
      ws.compactValues = new float[ws.compactCols.length];
    }
    int[] significantCols = ws.compactCols;
    float[] significantValues = ws.compactValues;
    for (int m = 0; m < count; m++) {
      significantCols[m] = cols[ws.rows[m]];
      significantValues[m] = values[ws.rows[m]];
    }
    System.arraycopy(target, o, ws.x, 0, k);
    DenseSolver.conjugateGradient(
        (v, out) -> {
          VectorOps.symmetricMatVec(gram, k, v, regularization, out);
          if (diagonal != null) {
            for (int d = 0; d < k; d++) {
              out[d] += diagonal[d] * v[d];
            }
          }
          VectorOps.confidenceProducts(others, k, significantCols, significantValues, 0, count, alpha, 0f, 1f,
              v, 0, out, 0);
        },
        ws.b, ws.x, k, cgSteps, 1e-10f, ws.residual, ws.direction, ws.ad);
    System.arraycopy(ws.x, 0, target, o, k);
  }

  /** Exact solve (Cholesky, in double) of the same system, for fold-in. */
  static float[] solveExact(float[] others, float[] gram, int k, int[] cols, float[] values,
      float regularization, float alpha) {
    double[] a = new double[k * k];
    double[] b = new double[k];
    for (int i = 0; i < k * k; i++) {
      a[i] = gram[i];
    }
    for (int d = 0; d < k; d++) {
      a[d * k + d] += regularization;
    }
    for (int n = 0; n < cols.length; n++) {
      int yo = cols[n] * k;
      double w = alpha * values[n];
      for (int r = 0; r < k; r++) {
        double yr = others[yo + r];
        b[r] += (1 + w) * yr;
        for (int c = 0; c < k; c++) {
          a[r * k + c] += w * yr * others[yo + c];
        }
      }
    }
    DenseSolver.choleskySolve(a, b, k);
    float[] x = new float[k];
    for (int d = 0; d < k; d++) {
      x[d] = (float) b[d];
    }
    return x;
  }

  /** Rows solved together: their dense products {@code P·G} run as one register-blocked matrix product. */
  static final int CHUNK_ROWS = 32;

  /** Solves every row in {@code targets} (all rows {@code 0..count} when null) on {@code config.threads()}. */
  static void solveAll(float[] target, int count, int[] targets, float[] others, float[] gram,
      int k, ConfidenceRows rows, IalsConfig config) {
    solveAll(target, count, targets, others, gram, k, rows, config, null);
  }

  /**
   * As above, pulling anchored rows toward their earlier values. The rows are cut into chunks of
   * similar cost ({@link ConfidenceRows#chunks}) that the workers take from a shared counter; each
   * chunk runs its CG steps in lock-step (see {@link ChunkSolver}).
   */
  static void solveAll(float[] target, int count, int[] targets, float[] others, float[] gram,
      int k, ConfidenceRows rows, IalsConfig config, Anchor anchor) {
    int n = targets == null ? count : targets.length;
    if (n == 0) {
      return;
    }
    int[] bounds = rows.chunks(targets, n, k, CHUNK_ROWS);
    int chunks = bounds.length - 1;
    AtomicInteger next = new AtomicInteger();
    Runnable worker = () -> {
      ChunkSolver solver = new ChunkSolver(k, others, gram, rows, config, anchor);
      int c;
      while ((c = next.getAndIncrement()) < chunks) {
        solver.solve(target, targets, bounds[c], bounds[c + 1]);
      }
    };
    Parallel.run(worker, Math.min(config.threads(), chunks));
  }

  /**
   * Conjugate gradient on up to {@link #CHUNK_ROWS} rows at once, each on its own system
   * {@code (G + λI + Σ_j α r_j y_j y_jᵀ) x = Σ_j (1 + α r_j) y_j} warm-started from its current
   * value. The steps are those of {@link DenseSolver#conjugateGradient} with two changes of order,
   * not of arithmetic: the right-hand side is folded into the first residual
   * ({@code r = Σ_j (1 + α r_j − α r_j y_j·x) y_j − (G + λI) x}, one pass over the row's entries
   * instead of two), and the dense products {@code G p} of all the chunk's rows are one matrix
   * product {@code P·G} (G is symmetric), whose register tiles reuse each loaded piece of G across
   * four rows. A row whose residual falls below the tolerance stops as it would alone.
   */
  static final class ChunkSolver {
    private static final float TOLERANCE = 1e-10f;
    private final int k;
    private final float[] others;
    private final float[] gram;
    private final ConfidenceRows rows;
    private final float alpha;
    private final float regularization;
    private final int steps;
    private final Anchor anchor;
    private final float[] x;
    private final float[] residual;
    private final float[] direction;
    private final float[] product;
    private final float[] residualNorm = new float[CHUNK_ROWS];
    private final boolean[] active = new boolean[CHUNK_ROWS];
    /** Each chunk row's λ, plus a plain anchor's strength. */
    private final float[] lambda = new float[CHUNK_ROWS];
    /** Each chunk row's Fisher-weighted anchor strengths, or null for the rows without. */
    private final float[][] anchorDiagonal = new float[CHUNK_ROWS][];
    private final float[] diagonalScratch;

    ChunkSolver(int k, float[] others, float[] gram, ConfidenceRows rows, IalsConfig config, Anchor anchor) {
      this.k = k;
      this.others = others;
      this.gram = gram;
      this.rows = rows;
      this.alpha = config.alpha();
      this.regularization = config.regularization();
      this.steps = config.cgSteps();
      this.anchor = anchor;
      x = new float[CHUNK_ROWS * k];
      residual = new float[CHUNK_ROWS * k];
      direction = new float[CHUNK_ROWS * k];
      product = new float[CHUNK_ROWS * k];
      diagonalScratch = anchor != null && anchor.fisher() != null ? new float[CHUNK_ROWS * k] : null;
    }

    /** Solves target positions {@code [from, to)} of {@code targets} (or rows, when null). */
    void solve(float[] target, int[] targets, int from, int to) {
      int m = to - from;
      for (int c = 0; c < m; c++) {
        System.arraycopy(target, row(targets, from + c) * k, x, c * k, k);
      }
      VectorOps.matMul(x, 0, gram, 0, residual, 0, m, k, k, false);
      for (int c = 0; c < m; c++) {
        startRow(c, row(targets, from + c));
      }
      for (int step = 0; step < steps && anyActive(m); step++) {
        VectorOps.matMul(direction, 0, gram, 0, product, 0, m, k, k, false);
        for (int c = 0; c < m; c++) {
          if (active[c]) {
            stepRow(c, row(targets, from + c));
          }
        }
      }
      for (int c = 0; c < m; c++) {
        System.arraycopy(x, c * k, target, row(targets, from + c) * k, k);
      }
    }

    private static int row(int[] targets, int position) {
      return targets == null ? position : targets[position];
    }

    private boolean anyActive(int m) {
      for (int c = 0; c < m; c++) {
        if (active[c]) {
          return true;
        }
      }
      return false;
    }

    /** With {@code residual} holding {@code x G}: residual = b − A x, direction = residual. */
    private void startRow(int c, int r) {
      int o = c * k;
      boolean anchored = anchor != null && r < anchor.rows();
      int start = r < rows.rows() ? rows.start(r) : 0;
      int end = r < rows.rows() ? rows.end(r) : 0;
      active[c] = false;
      if (start == end && !anchored) {
        // No evidence: the minimiser of λ‖x‖² + xᵀGx is 0.
        java.util.Arrays.fill(x, o, o + k, 0f);
        return;
      }
      lambda[c] = regularization;
      anchorDiagonal[c] = null;
      if (anchored && anchor.fisher() != null) {
        // strength · F ∘ (x₀ − x) joins the residual; strength · diag(F) the operator
        float[] diagonal = diagonalScratch;
        int ao = r * k;
        for (int d = 0; d < k; d++) {
          diagonal[o + d] = anchor.strength() * anchor.fisher()[ao + d];
        }
        anchorDiagonal[c] = diagonal;
      } else if (anchored) {
        lambda[c] += anchor.strength();
      }
      VectorOps.scaledAdd(-1f, residual, o, -lambda[c], x, o, k);
      if (anchorDiagonal[c] != null) {
        float[] diagonal = anchorDiagonal[c];
        float[] x0 = anchor.table();
        int ao = r * k;
        for (int d = 0; d < k; d++) {
          residual[o + d] += diagonal[o + d] * (x0[ao + d] - x[o + d]);
        }
      } else if (anchored) {
        VectorOps.axpy(anchor.strength(), anchor.table(), r * k, residual, o, k);
      }
      VectorOps.confidenceProducts(others, k, rows.cols(), rows.values(), start, end, alpha, 1f, -1f,
          x, o, residual, o);
      System.arraycopy(residual, o, direction, o, k);
      residualNorm[c] = VectorOps.dot(residual, o, residual, o, k);
      active[c] = residualNorm[c] > TOLERANCE;
    }

    /** With {@code product} holding {@code direction G}: one CG step of row c. */
    private void stepRow(int c, int r) {
      int o = c * k;
      VectorOps.axpy(lambda[c], direction, o, product, o, k);
      if (anchorDiagonal[c] != null) {
        float[] diagonal = anchorDiagonal[c];
        for (int d = 0; d < k; d++) {
          product[o + d] += diagonal[o + d] * direction[o + d];
        }
      }
      int start = r < rows.rows() ? rows.start(r) : 0;
      int end = r < rows.rows() ? rows.end(r) : 0;
      VectorOps.confidenceProducts(others, k, rows.cols(), rows.values(), start, end, alpha, 0f, 1f,
          direction, o, product, o);
      float pAp = VectorOps.dot(direction, o, product, o, k);
      if (!(pAp > 0)) {
        active[c] = false;
        return;
      }
      float step = residualNorm[c] / pAp;
      VectorOps.axpy(step, direction, o, x, o, k);
      VectorOps.axpy(-step, product, o, residual, o, k);
      float next = VectorOps.dot(residual, o, residual, o, k);
      VectorOps.scaledAdd(next / residualNorm[c], direction, o, 1f, residual, o, k);
      residualNorm[c] = next;
      active[c] = next > TOLERANCE;
    }
  }
}
