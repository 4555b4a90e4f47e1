package io.perennial.model.knn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.EpochReport;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;

/** Builds each item's top-N cosine neighbours in one pass over the co-occurrences. */
public final class ItemKnnTrainer implements Trainer {

  private final ItemKnnConfig config;

  public ItemKnnTrainer(ItemKnnConfig config) {
    this.config = config;
  }

  @Override
  public String type() {
    return ItemKnnModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return new ObjectMapper().valueToTree(config);
  }

  @Override
  public ItemKnnModel fit(Dataset train, TrainingOptions options) {
    long t0 = System.nanoTime();
    UserHistory history = UserHistory.of(train.byUser());
    int items = train.itemCount();
    int[][] ids = new int[items][];
    float[][] sims = new float[items][];
    Neighbourhoods.compute(history, Neighbourhoods.transpose(history, items), items, config, null, ids, sims);
    double seconds = (System.nanoTime() - t0) / 1e9;
    options.listener().onEpoch(type(),
        new EpochReport(1, 1, Double.NaN, train.size() / Math.max(seconds, 1e-9), seconds, Double.NaN));
    return new ItemKnnModel(config, history, AbstractRecommender.countItems(train.log(), items),
        train.userCount(), items, ids, sims);
  }
}
