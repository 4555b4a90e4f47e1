package io.perennial.model;

import io.perennial.data.Dataset;

class MfContractTest extends RecommenderContractTest {
  @Override
  protected String algorithm() {
    return "mf";
  }

  @Override
  protected Dataset fixture() {
    return Fixtures.explicitCheckerboard(1);
  }

  @Override
  protected float fixtureValue() {
    return 5f;
  }
}
