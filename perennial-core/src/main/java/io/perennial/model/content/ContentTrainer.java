package io.perennial.model.content;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.data.UserSequences;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.EpochReport;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;

/** Builds the item content vectors and each user's recency-weighted history; nothing is iterated. */
public final class ContentTrainer implements Trainer, ContentAware {

  private final ContentConfig config;
  private final ItemContent content;

  public ContentTrainer(ContentConfig config) {
    this(config, null);
  }

  public ContentTrainer(ContentConfig config, ItemContent content) {
    this.config = config;
    this.content = content;
  }

  @Override
  public Trainer withContent(ItemContent itemContent) {
    return new ContentTrainer(config, itemContent);
  }

  @Override
  public String type() {
    return ContentModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return new ObjectMapper().valueToTree(config);
  }

  @Override
  public ContentModel fit(Dataset train, TrainingOptions options) {
    long t0 = System.nanoTime();
    ItemFeatures features = ContentFeatures.build(config.features(), requireContent(content, "content"),
        train.items(), config.maxTerms());
    UserHistory history = recencyWeighted(train.log(), train.userCount(), config.recencyDecay());
    ContentModel model = new ContentModel(config, features, history,
        AbstractRecommender.countItems(train.log(), train.itemCount()), train.userCount(), train.itemCount());
    double seconds = (System.nanoTime() - t0) / 1e9;
    options.listener().onEpoch(type(), new EpochReport(1, 1, Double.NaN, train.size() / Math.max(seconds, 1e-9), seconds, Double.NaN));
    return model;
  }

  /** The content a content trainer was given, or a clear error saying how to give it. */
  static ItemContent requireContent(ItemContent content, String model) {
    if (content == null) {
      throw new IllegalArgumentException("the " + model + " model needs item metadata: give --items (and --tags) "
          + "naming the items' titles, genres or tags");
    }
    return content;
  }

  /**
   * Each user's items with weights {@code decay^(newer events of the user)}, accumulated per item:
   * the weights of the recency-weighted mean.
   */
  static UserHistory recencyWeighted(InteractionLog log, int users, float decay) {
    UserSequences sequences = UserSequences.of(log);
    UserHistory history = new UserHistory(users);
    for (int u = 0; u < sequences.users(); u++) {
      for (int n = 0; n < sequences.length(u); n++) {
        history.addDecayed(u, log.item(sequences.event(u, n)), 1f, decay);
      }
    }
    return history;
  }
}
