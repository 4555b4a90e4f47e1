package io.perennial.model;

import io.perennial.nn.ParameterSet;

/**
 * A model whose parameters are a layer-kit {@link ParameterSet} (NeuMF, SASRec): what magnitude
 * pruning of dense layers works on ({@code store.Pruning#magnitude}).
 */
public interface DenseNetwork {

  /** The checkpoint section holding the pruning mask, when the model was pruned. */
  String PRUNE_MASK = "prune.mask";

  /** The parameters, live: change them only under the write rule, then call {@link #parametersChanged}. */
  ParameterSet parameters();

  /** Recomputes what the model derives from its parameters after they were changed from outside. */
  void parametersChanged();

  /**
   * The embedding tables whose row {@code i} is item {@code i} (a warm start copies them by the
   * item match), the first being the one a factor model's item vectors stand for.
   */
  default java.util.List<String> itemTableNames() {
    return java.util.List.of();
  }

  /**
   * Settings that change what the network computes without changing any parameter's shape (SASRec's
   * attention heads), which a warm start copying the layers must also match.
   */
  default java.util.Map<String, Integer> layoutSettings() {
    return java.util.Map.of();
  }
}
