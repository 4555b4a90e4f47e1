package io.perennial.model;

class PopularityContractTest extends RecommenderContractTest {
  @Override
  protected String algorithm() {
    return "pop";
  }

  @Override
  protected boolean personalised() {
    return false;
  }
}
