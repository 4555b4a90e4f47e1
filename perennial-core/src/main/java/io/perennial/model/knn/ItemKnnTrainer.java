package io.perennial.model.knn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.EpochReport;
import io.perennial.model.MemoryBudget;
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

  /** Neighbour lists (an id and a similarity each) and every worker's per-item accumulators. */
  @Override
  public long estimatedBytes(int users, int items, long interactions) {
    long perItem = Math.min(config.neighbours(), Math.max(items - 1L, 0));
    long lists = MemoryBudget.times(MemoryBudget.times(items, perItem), Integer.BYTES + Float.BYTES);
    long workers = MemoryBudget.times(config.threads(),
        MemoryBudget.times(items, Float.BYTES + Integer.BYTES + 1L));
    return MemoryBudget.plus(lists, workers);
  }

  @Override
  public ItemKnnModel fit(Dataset train, TrainingOptions options) {
    MemoryBudget.check(this, train);
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
