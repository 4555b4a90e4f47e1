package io.perennial.model;

class BprContractTest extends RecommenderContractTest {
  @Override
  protected String algorithm() {
    return "bpr";
  }
}
