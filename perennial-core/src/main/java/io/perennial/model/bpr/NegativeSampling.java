package io.perennial.model.bpr;

/** How BPR draws negative items. */
public enum NegativeSampling {
  /** Every item equally likely. */
  UNIFORM,
  /**
   * Items drawn in proportion to {@code popularity^exponent}: popular items the user skipped are
   * more informative negatives than obscure ones.
   */
  POPULARITY
}
