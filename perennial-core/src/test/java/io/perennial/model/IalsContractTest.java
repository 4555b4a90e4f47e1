package io.perennial.model;

class IalsContractTest extends RecommenderContractTest {
  @Override
  protected String algorithm() {
    return "ials";
  }
}
