package io.perennial.model.ials;

/**
 * The iALS half-step for one row at a time, for trainers that hold only some rows of a table (a
 * Spark partition's users or items): the same warm-started conjugate-gradient solve of
 * {@code (G + λI + Σ_j α r_j y_j y_jᵀ) x = Σ_j (1 + α r_j) y_j} that {@link IalsTrainer} runs over
 * whole tables. Not thread-safe: one solver per thread.
 */
public final class IalsRowSolver {

  private final IalsConfig config;
  private final AlsSolver.Workspace workspace;

  /** A solver with {@code config}'s factors, regularisation, alpha and CG steps. */
  public IalsRowSolver(IalsConfig config) {
    this.config = config;
    this.workspace = new AlsSolver.Workspace(config.factors());
  }

  /** {@code TᵀT} of the first {@code rows} rows of a row-major table of {@code k} columns. */
  public static float[] gram(float[] table, int rows, int k) {
    return AlsSolver.gram(table, rows, k);
  }

  /**
   * Re-solves row {@code row} of {@code target} in place against the fixed side, warm-started
   * from its current value.
   *
   * @param others the fixed side's table
   * @param gram {@link #gram} of {@code others}
   * @param cols the row's observed columns in {@code others}
   * @param values their values r_j
   */
  public void solve(float[] target, int row, float[] others, float[] gram, int[] cols, float[] values) {
    AlsSolver.solveRow(target, row, others, gram, config.factors(), cols, values, config.regularization(),
        config.alpha(), config.cgSteps(), workspace);
  }
}
