package io.perennial.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The contract on NeuMF. The checkerboard has ~1,300 interactions: at the default batch of 256 an
 * epoch is five Adam steps, so the fixture trains with smaller batches and a higher rate, and with
 * narrower towers (a small world needs no 128-wide MLP, and every test trains anew).
 */
class NeumfContractTest extends RecommenderContractTest {
  @Override
  protected String algorithm() {
    return "neumf";
  }

  @Override
  protected Trainer trainer() {
    return Algorithms.trainer(algorithm(), fixtureConfig());
  }

  static ObjectNode fixtureConfig() {
    return new ObjectMapper().createObjectNode().put("epochs", 30).put("batchSize", 64).put("learningRate", 0.005f)
        .put("gmfFactors", 16).put("mlpFactors", 8);
  }
}
