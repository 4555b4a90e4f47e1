package io.perennial.model;

import io.perennial.model.quantized.QuantizedTrainer;

/** The int8 form of iALS keeps the whole contract (fold-in and partialFit through its float model). */
class QuantizedContractTest extends RecommenderContractTest {
  @Override
  protected String algorithm() {
    return "int8";
  }

  @Override
  protected Trainer trainer() {
    return new QuantizedTrainer(Algorithms.trainer("ials", null));
  }
}
