package io.perennial.model;

class FusionContractTest extends RecommenderContractTest {
  @Override
  protected String algorithm() {
    return "fusion";
  }
}
