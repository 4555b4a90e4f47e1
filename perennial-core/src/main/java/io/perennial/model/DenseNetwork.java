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
}
