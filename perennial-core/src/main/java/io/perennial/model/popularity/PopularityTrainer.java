package io.perennial.model.popularity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;

/** Counts interactions per item, weighting each by its age when a half-life is set. */
public final class PopularityTrainer implements Trainer {

  private final PopularityConfig config;

  public PopularityTrainer(PopularityConfig config) {
    this.config = config;
  }

  @Override
  public String type() {
    return PopularityModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return new ObjectMapper().valueToTree(config);
  }

  @Override
  public PopularityModel fit(Dataset train, TrainingOptions options) {
    InteractionLog log = train.log();
    long newest = log.size() == 0 ? 0 : log.maxTimestamp();
    float[] scores = new float[train.itemCount()];
    for (int e = 0; e < log.size(); e++) {
      scores[log.item(e)] += PopularityModel.weight(config, newest, log.timestamp(e));
    }
    return new PopularityModel(config, UserHistory.of(train.byUser()),
        AbstractRecommender.countItems(log, train.itemCount()), scores,
        train.userCount(), train.itemCount(), newest);
  }
}
