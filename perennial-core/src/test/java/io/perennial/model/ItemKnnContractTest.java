package io.perennial.model;

class ItemKnnContractTest extends RecommenderContractTest {
  @Override
  protected String algorithm() {
    return "itemknn";
  }
}
