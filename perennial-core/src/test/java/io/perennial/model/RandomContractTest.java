package io.perennial.model;

import io.perennial.model.content.ContentAware;

class RandomContractTest extends RecommenderContractTest {
  @Override
  protected String algorithm() {
    return "random";
  }

  @Override
  protected Trainer trainer() {
    Trainer trainer = Algorithms.trainer(algorithm(), null);
    return trainer instanceof ContentAware aware ? aware.withContent(Fixtures.checkerboardContent()) : trainer;
  }

  @Override
  protected boolean personalised() {
    return false;
  }
}
