package io.perennial.model.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.content.ContentFeatures;
import io.perennial.model.content.ContentMapping;
import io.perennial.model.content.HybridConfig;
import io.perennial.model.content.ItemContent;
import io.perennial.model.content.ItemFeatures;
import java.util.BitSet;

/**
 * Trains the target model warm-started from a {@link SourceModel}: each target item matched to a
 * source item ({@link ItemMatch}) starts from the source's vector; the unmatched items that have
 * content start from a ridge {@link ContentMapping} from content to factors fitted on the matched
 * items' source vectors; the rest, and the users (unless matched by id), start as the target
 * trainer starts them. Every fit (each fold of an evaluation, each retrain of a stream) starts from
 * the source again.
 */
public final class PretrainedTrainer implements Trainer {

  private final Trainer target;
  private final SourceModel source;
  private final ItemMatch match;
  private final ItemContent content;
  private final boolean matchUsers;
  private final FineTune fineTune;
  private final float priorStrength;
  private volatile TransferCounts lastCounts;

  /**
   * @param target the trainer to warm-start; must be a {@link WarmStartable} supporting {@code fineTune}
   * @param match the item match against the target's catalogue (items it does not know are fresh)
   * @param content the target's item content for the mapping, or null (then unmatched items are fresh)
   * @param matchUsers start target users from the source user of the same id
   * @throws IllegalArgumentException when the target cannot be warm-started as asked
   */
  public PretrainedTrainer(Trainer target, SourceModel source, ItemMatch match, ItemContent content,
      boolean matchUsers, FineTune fineTune, float priorStrength) {
    if (!(target instanceof WarmStartable warm)) {
      throw new IllegalArgumentException("a " + target.type() + " model cannot start from a pretrained one "
          + "(supported: ials, bpr, mf)");
    }
    if (!warm.supports(fineTune.mode())) {
      throw new IllegalArgumentException("a " + target.type() + " model does not support fine-tune " + fineTune
          + (fineTune.mode() == FineTune.Mode.LR_RATIO ? " (iALS has no learning rate: use prior with a prior strength)" : ""));
    }
    int factors = target.configJson().path("factors").asInt(-1);
    if (factors != source.factors()) {
      throw new IllegalArgumentException("the pretrained " + source.type() + " model has " + source.factors()
          + " factors, the " + target.type() + " config " + factors + " (they must be equal)");
    }
    this.target = target;
    this.source = source;
    this.match = match;
    this.content = content;
    this.matchUsers = matchUsers;
    this.fineTune = fineTune;
    this.priorStrength = priorStrength;
  }

  @Override
  public String type() {
    return target.type();
  }

  @Override
  public JsonNode configJson() {
    return target.configJson();
  }

  @Override
  public long estimatedBytes(int users, int items, long interactions) {
    return target.estimatedBytes(users, items, interactions);
  }

  /** The counts of the latest {@link #fit}, or null before the first. */
  public TransferCounts lastCounts() {
    return lastCounts;
  }

  @Override
  public Recommender fit(Dataset train, TrainingOptions options) {
    WarmStart start = warmStart(train);
    return ((WarmStartable) target).fit(train, options, start);
  }

  /** The rows {@code train}'s model starts from; records {@link #lastCounts()}. */
  public WarmStart warmStart(Dataset train) {
    int k = source.factors();
    IdIndex items = train.items();
    int n = items.size();
    float[] itemVectors = new float[n * k];
    BitSet given = new BitSet(n);
    int byKey = 0;
    int byText = 0;
    int[] warm = new int[n];
    int warmCount = 0;
    for (int i = 0; i < n; i++) {
      int j = match.targetItems().indexOf(items.idOf(i));
      int row = j < 0 ? -1 : match.sourceRow(j);
      if (row < 0) {
        continue;
      }
      System.arraycopy(source.itemFactors(), row * k, itemVectors, i * k, k);
      given.set(i);
      warm[warmCount++] = i;
      if (match.origin(j) == ItemMatch.Origin.TEXT) {
        byText++;
      } else {
        byKey++;
      }
    }
    int mapped = 0;
    if (content != null && warmCount > 0 && warmCount < n) {
      HybridConfig h = HybridConfig.defaults();
      ItemFeatures features = ContentFeatures.build(content.text() != null ? "tfidf+text" : "tfidf", content, items,
          h.maxTerms());
      int[] described = java.util.Arrays.stream(warm, 0, warmCount).filter(features::hasContent).toArray();
      if (described.length > 0) {
        ContentMapping mapping = ContentMapping.fit(features, described, itemVectors, k, h.ridge(), h.mapIterations());
        for (int i = 0; i < n; i++) {
          if (!given.get(i) && features.hasContent(i)) {
            mapping.map(features, i, itemVectors, i * k);
            given.set(i);
            mapped++;
          }
        }
      }
    }
    IdIndex users = train.users();
    float[] userVectors = new float[matchUsers ? users.size() * k : 0];
    BitSet givenUsers = new BitSet();
    if (matchUsers) {
      for (int u = 0; u < users.size(); u++) {
        int row = source.users().indexOf(users.idOf(u));
        if (row >= 0) {
          System.arraycopy(source.userFactors(), row * k, userVectors, u * k, k);
          givenUsers.set(u);
        }
      }
    }
    lastCounts = new TransferCounts(match.key().label(), byKey, byText, mapped, n - byKey - byText - mapped,
        source.items().size(), givenUsers.cardinality(), fineTune.toString());
    return new WarmStart(k, itemVectors, given, userVectors, givenUsers, fineTune, priorStrength);
  }
}
