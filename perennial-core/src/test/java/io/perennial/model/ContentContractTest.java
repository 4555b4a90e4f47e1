package io.perennial.model;

import io.perennial.model.content.ContentAware;

class ContentContractTest extends RecommenderContractTest {
  @Override
  protected String algorithm() {
    return "content";
  }

  @Override
  protected Trainer trainer() {
    Trainer trainer = Algorithms.trainer(algorithm(), null);
    return trainer instanceof ContentAware aware ? aware.withContent(Fixtures.checkerboardContent()) : trainer;
  }
}
