package io.perennial.model.random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;

/** Records the histories (for "exclude seen") and counts (for the fallback); learns nothing else. */
public final class RandomTrainer implements Trainer {

  private final RandomConfig config;

  public RandomTrainer(RandomConfig config) {
    this.config = config;
  }

  @Override
  public String type() {
    return RandomModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return new ObjectMapper().valueToTree(config);
  }

  @Override
  public RandomModel fit(Dataset train, TrainingOptions options) {
    return new RandomModel(config, UserHistory.of(train.byUser()),
        AbstractRecommender.countItems(train.log(), train.itemCount()), train.userCount(), train.itemCount());
  }
}
