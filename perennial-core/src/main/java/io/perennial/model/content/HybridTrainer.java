package io.perennial.model.content;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.VectorRetrieval;
import java.util.stream.IntStream;

/**
 * Trains the base collaborative model, then fits the content → item-vector map on the items with
 * at least {@code mapMinEvents} training events.
 */
public final class HybridTrainer implements Trainer, ContentAware {

  private final HybridConfig config;
  private final ItemContent content;

  public HybridTrainer(HybridConfig config) {
    this(config, null);
  }

  public HybridTrainer(HybridConfig config, ItemContent content) {
    this.config = config;
    this.content = content;
  }

  @Override
  public Trainer withContent(ItemContent itemContent) {
    return new HybridTrainer(config, itemContent);
  }

  @Override
  public String type() {
    return HybridModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return new ObjectMapper().valueToTree(config);
  }

  @Override
  public HybridModel fit(Dataset train, TrainingOptions options) {
    ItemFeatures features = ContentFeatures.build(config.features(), ContentTrainer.requireContent(content, "hybrid"),
        train.items(), config.maxTerms());
    Recommender base = Algorithms.trainer(config.base(), null).fit(train, options);
    if (!(base instanceof VectorRetrieval vectors) || !(base instanceof io.perennial.model.AbstractRecommender)) {
      throw new IllegalArgumentException("hybrid: base model '" + config.base() + "' has no item vectors to map "
          + "content to (use ials, bpr or mf)");
    }
    float[] counts = io.perennial.model.AbstractRecommender.countItems(train.log(), base.itemCount());
    int[] warm = IntStream.range(0, base.itemCount())
        .filter(i -> counts[i] >= config.mapMinEvents() && features.hasContent(i)).toArray();
    float[] targets = HybridModel.targets(vectors, base.itemCount());
    int outputs = HybridModel.targetColumns(vectors);
    ContentMapping mapping = ContentMapping.fit(features, warm, targets, outputs, config.ridge(), config.mapIterations());
    return new HybridModel(config, base, features, mapping);
  }
}
