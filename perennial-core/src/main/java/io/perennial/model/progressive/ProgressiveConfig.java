package io.perennial.model.progressive;

import java.util.List;

/**
 * A factor model's {@code "progressive"} config member: train narrow first, then widen. {@code
 * {"factors": [16, 32], "widenAt": [10, 20]}} on a 64-factor model trains epochs 0–9 with 16
 * dimensions, 10–19 with 32 and the rest with 64; each widening appends dimensions that are zero on
 * the user side and {@code newScale · N(0, 1)} on the item side, so the scores are unchanged at the
 * moment of widening and the new dimensions learn from there. The total number of epochs is the
 * model's {@code epochs}.
 *
 * @param factors the widths of the stages before the model's own {@code factors}, increasing
 * @param widenAt the epoch (0-based) at which each following stage starts, increasing, one per width
 * @param newScale standard deviation of the appended item dimensions; 0 means the default 0.01 (it
 *     must not be 0 on both sides, or the new dimensions never move)
 */
public record ProgressiveConfig(List<Integer> factors, List<Integer> widenAt, float newScale) {

  public ProgressiveConfig {
    if (factors == null || factors.isEmpty()) {
      throw new IllegalArgumentException("progressive.factors must list at least one stage width");
    }
    if (widenAt == null || widenAt.size() != factors.size()) {
      throw new IllegalArgumentException("progressive.widenAt must give one epoch per stage width ("
          + factors.size() + "), got " + (widenAt == null ? "none" : widenAt.size()));
    }
    factors = List.copyOf(factors);
    widenAt = List.copyOf(widenAt);
    for (int s = 0; s < factors.size(); s++) {
      if (factors.get(s) < 1 || (s > 0 && factors.get(s) <= factors.get(s - 1))) {
        throw new IllegalArgumentException("progressive.factors must be increasing and >= 1, got " + factors);
      }
      if (widenAt.get(s) < 1 || (s > 0 && widenAt.get(s) <= widenAt.get(s - 1))) {
        throw new IllegalArgumentException("progressive.widenAt must be increasing and >= 1, got " + widenAt);
      }
    }
    if (newScale == 0) {
      newScale = 0.01f;
    }
    if (!(newScale > 0)) {
      throw new IllegalArgumentException("progressive.newScale must be > 0, got " + newScale);
    }
  }

  /** Checks the stages against the model's final width and epochs. */
  public void check(int finalFactors, int epochs) {
    if (factors.get(factors.size() - 1) >= finalFactors) {
      throw new IllegalArgumentException("progressive.factors " + factors + " must stay below the model's factors ("
          + finalFactors + ")");
    }
    if (widenAt.get(widenAt.size() - 1) >= epochs) {
      throw new IllegalArgumentException("progressive.widenAt " + widenAt + " must stay below the model's epochs ("
          + epochs + ")");
    }
  }

  /** The width epoch 0 trains with. */
  public int initialFactors() {
    return factors.get(0);
  }

  /** The width epoch {@code epoch} trains with, given the model's final width. */
  public int factorsAt(int epoch, int finalFactors) {
    int width = factors.get(0);
    for (int s = 0; s < widenAt.size(); s++) {
      if (epoch >= widenAt.get(s)) {
        width = s + 1 < factors.size() ? factors.get(s + 1) : finalFactors;
      }
    }
    return width;
  }

  /**
   * The recipe checks MF's and BPR's configs share: warm-up epochs not negative, the widening
   * stages ({@code progressive}, may be null) valid for the final width, and neither a curriculum
   * nor stages combined with DP-SGD, which samples its own batches.
   */
  public static void checkRecipes(int warmupEpochs, ProgressiveConfig progressive, boolean curriculum, boolean dp,
      int finalFactors, int epochs) {
    if (warmupEpochs < 0) {
      throw new IllegalArgumentException("warmupEpochs must be >= 0, got " + warmupEpochs);
    }
    if (progressive != null) {
      progressive.check(finalFactors, epochs);
    }
    if ((curriculum || progressive != null) && dp) {
      throw new IllegalArgumentException("curriculum and progressive do not combine with dp (DP-SGD samples its own batches)");
    }
  }
}
