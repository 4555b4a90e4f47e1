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

  /** {@code YᵀY} of a row-major {@code rows × k} table, as a {@code k × k} float matrix. */
  static float[] gram(float[] table, int rows, int k) {
    double[] g = new double[k * k];
    for (int r = 0; r < rows; r++) {
      int o = r * k;
      for (int a = 0; a < k; a++) {
        double ya = table[o + a];
        if (ya == 0) {
          continue;
        }
        for (int b = a; b < k; b++) {
          g[a * k + b] += ya * table[o + b];
        }
      }
    }
    float[] out = new float[k * k];
    for (int a = 0; a < k; a++) {
      for (int b = a; b < k; b++) {
        out[a * k + b] = (float) g[a * k + b];
        out[b * k + a] = (float) g[a * k + b];
      }
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
      float na = table[o + a];
      float oa = before[a];
      int g = a * k;
      for (int b = 0; b < k; b++) {
        gram[g + b] += na * table[o + b] - oa * before[b];
      }
    }
  }

  /** Per-thread scratch for {@link #solveRow}. */
  static final class Workspace {
    int[] rows = new int[64];
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
  static float[] fisherDiagonal(int count, float[] others, float[] gram, int k, Rows rows, float alpha) {
    float[] fisher = new float[count * k];
    double sum = 0;
    for (int r = 0; r < count; r++) {
      int o = r * k;
      for (int d = 0; d < k; d++) {
        fisher[o + d] = gram[d * k + d];
      }
      int[] cols = rows.cols(r);
      float[] values = rows.values(r);
      for (int n = 0; n < cols.length; n++) {
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
    System.arraycopy(target, o, ws.x, 0, k);
    DenseSolver.conjugateGradient(
        (v, out) -> {
          // G is symmetric, so its row-major array is also column-major: G·v as lane-wise FMAs.
          VectorOps.matVecTransposed(gram, k, k, v, out);
          VectorOps.axpy(regularization, v, 0, out, 0, k);
          if (diagonal != null) {
            for (int d = 0; d < k; d++) {
              out[d] += diagonal[d] * v[d];
            }
          }
          for (int m = 0; m < count; m++) {
            int n = ws.rows[m];
            float w = alpha * values[n];
            int yo = cols[n] * k;
            VectorOps.axpy(w * VectorOps.dot(others, yo, v, 0, k), others, yo, out, 0, k);
          }
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

  /** A row's observed columns and values. */
  interface Rows {
    int[] cols(int row);

    float[] values(int row);
  }

  /** Solves every row in {@code targets} (all rows {@code 0..count} when null) on {@code threads}. */
  static void solveAll(float[] target, int count, int[] targets, float[] others, float[] gram,
      int k, Rows rows, IalsConfig config) {
    solveAll(target, count, targets, others, gram, k, rows, config, null);
  }

  /** As above, pulling anchored rows toward their earlier values. */
  static void solveAll(float[] target, int count, int[] targets, float[] others, float[] gram,
      int k, Rows rows, IalsConfig config, Anchor anchor) {
    int n = targets == null ? count : targets.length;
    AtomicInteger next = new AtomicInteger();
    Runnable worker = () -> {
      Workspace ws = new Workspace(k);
      int t;
      while ((t = next.getAndIncrement()) < n) {
        int r = targets == null ? t : targets[t];
        solveRow(target, r, others, gram, k, rows.cols(r), rows.values(r),
            config.regularization(), config.alpha(), config.cgSteps(), ws, anchor);
      }
    };
    Parallel.run(worker, Math.min(config.threads(), Math.max(1, n / 32)));
  }
}
