package io.perennial.model.bpr;

/** How BPR draws negative items. */
public enum NegativeSampling {
  /** Every item equally likely. */
  UNIFORM,
  /**
   * Items drawn in proportion to {@code popularity^exponent}: popular items the user skipped are
   * more informative negatives than obscure ones.
   */
  POPULARITY,
  /**
   * Hard negatives from the current model's top ranks (dynamic negative sampling, Zhang et al.
   * 2013): {@code hardCandidates} items drawn uniformly, the one the model now scores highest for
   * the user kept. Costs one dot product per candidate.
   */
  HARD,
  /**
   * In-batch negatives: the positive item of another sampled training pair, so an item is a
   * negative as often as it is a positive elsewhere (popularity-proportional, exponent 1, without
   * building a sampler), as in-batch softmax does.
   */
  IN_BATCH
}
