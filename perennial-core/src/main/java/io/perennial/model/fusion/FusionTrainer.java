package io.perennial.model.fusion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.data.UserSequences;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.Update;
import io.perennial.model.content.ContentAware;
import io.perennial.model.content.ItemContent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains every member and, for {@code stacked}, fits their weights: each user's latest {@code
 * validationFraction} of training events is held out, the members train on the rest, the weights
 * that rank the held-out events best (NDCG@{@code fitK}) are found, and the members are then
 * retrained on everything (or fine-tuned on the held-out part when {@code refit} is false).
 */
public final class FusionTrainer implements Trainer, ContentAware {

  private static final Logger LOG = LoggerFactory.getLogger(FusionTrainer.class);
  private final FusionConfig config;
  private final ItemContent content;

  public FusionTrainer(FusionConfig config) {
    this(config, null);
  }

  public FusionTrainer(FusionConfig config, ItemContent content) {
    this.config = config;
    this.content = content;
    memberTrainers(); // a bad member config fails here, before any training
  }

  @Override
  public Trainer withContent(ItemContent itemContent) {
    return new FusionTrainer(config, itemContent);
  }

  /** Only when a member needs it. */
  @Override
  public boolean requiresContent() {
    return config.members().stream().anyMatch(Algorithms::needsContent);
  }

  @Override
  public String type() {
    return FusionModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return new ObjectMapper().valueToTree(config);
  }

  @Override
  public long estimatedBytes(int users, int items, long interactions) {
    long sum = 0;
    for (Trainer t : memberTrainers()) {
      sum += t.estimatedBytes(users, items, interactions);
    }
    return sum;
  }

  private List<Trainer> memberTrainers() {
    List<Trainer> trainers = new ArrayList<>();
    for (String name : config.members()) {
      Trainer t;
      try {
        t = Algorithms.trainer(name, config.memberConfigs().get(name));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("fusion member " + name + ": " + e.getMessage(), e);
      }
      if (t instanceof ContentAware aware && content != null) {
        t = aware.withContent(content);
      }
      trainers.add(t);
    }
    return trainers;
  }

  @Override
  public FusionModel fit(Dataset train, TrainingOptions options) {
    List<Trainer> trainers = memberTrainers();
    if (!config.method().equals("stacked")) {
      return new FusionModel(config, fitAll(trainers, train, options), config.initialWeights());
    }
    Holdout holdout = Holdout.latest(train.log(), config.validationFraction());
    if (holdout.validation().size() == 0) {
      LOG.info("fusion: no user has enough events to hold any out; using equal weights");
      return new FusionModel(config, fitAll(trainers, train, options), config.initialWeights());
    }
    TrainingOptions inner = TrainingOptions.of(options.listener());
    List<Recommender> held = fitAll(trainers, train.withLog(holdout.fit()), inner);
    FusionModel probe = new FusionModel(config, held, config.initialWeights());
    WeightFit.Fit fit = WeightFit.fit(examples(probe, holdout.validation()), held.size(), config.fitK());
    LOG.info("fusion: weights {} for {} (validation ndcg@{} {} vs {} with equal weights)",
        Arrays.toString(fit.weights()), config.members(), config.fitK(), fit.ndcg(), fit.equalNdcg());
    List<Recommender> members;
    if (config.refit()) {
      members = fitAll(trainers, train, options);
    } else {
      members = held;
      for (Recommender m : members) {
        m.partialFit(Update.of(holdout.validation(), train.userCount(), train.itemCount()));
      }
    }
    return new FusionModel(config, members, fit.weights()).withValidation(fit.ndcg(), fit.equalNdcg());
  }

  private static List<Recommender> fitAll(List<Trainer> trainers, Dataset data, TrainingOptions options) {
    List<Recommender> out = new ArrayList<>();
    for (Trainer t : trainers) {
      out.add(t.fit(data, options));
    }
    return out;
  }

  /** Every validation user with an event the members can rank (an item seen in the fitting part). */
  static List<WeightFit.Example> examples(FusionModel probe, InteractionLog validation) {
    UserSequences byUser = UserSequences.of(validation);
    List<WeightFit.Example> out = new ArrayList<>();
    for (int u = 0; u < byUser.users(); u++) {
      int[] items = Arrays.stream(byUser.items(u)).distinct().toArray();
      if (items.length == 0 || u >= probe.userCount()) {
        continue;
      }
      Calibrated c = probe.calibrated(u);
      boolean[] relevant = new boolean[c.items.length];
      int total = 0;
      for (int item : items) {
        total++;
        int at = Arrays.binarySearch(c.items, item);
        if (at >= 0) {
          relevant[at] = true;
        }
      }
      out.add(new WeightFit.Example(c, relevant, total));
    }
    return out;
  }

  /**
   * A per-user temporal split of the training events: each user's latest {@code fraction} (rounded
   * down, so a user with few events keeps them all) are held out.
   */
  record Holdout(InteractionLog fit, InteractionLog validation) {
    static Holdout latest(InteractionLog log, double fraction) {
      UserSequences sequences = UserSequences.of(log);
      boolean[] held = new boolean[log.size()];
      for (int u = 0; u < sequences.users(); u++) {
        int n = sequences.length(u);
        int out = (int) Math.floor(fraction * n + 1e-9);
        for (int i = n - out; i < n; i++) {
          held[sequences.event(u, i)] = true;
        }
      }
      int count = 0;
      for (boolean h : held) {
        count += h ? 1 : 0;
      }
      int[] fitIdx = new int[log.size() - count];
      int[] validIdx = new int[count];
      int f = 0;
      int v = 0;
      for (int e = 0; e < log.size(); e++) {
        if (held[e]) {
          validIdx[v++] = e;
        } else {
          fitIdx[f++] = e;
        }
      }
      return new Holdout(log.select(fitIdx), log.select(validIdx));
    }
  }
}
