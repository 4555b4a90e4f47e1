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
          + "(supported: ials, bpr, mf, sasrec, neumf)");
    }
    if (!warm.supports(fineTune.mode())) {
      throw new IllegalArgumentException("a " + target.type() + " model does not support fine-tune " + fineTune
          + (fineTune.mode() == FineTune.Mode.LR_RATIO ? " (iALS has no learning rate: use prior with a prior strength)" : "")
          + (fineTune.mode() == FineTune.Mode.FREEZE_LAYERS ? " (per-layer freezing is for sasrec and neumf; "
              + "freeze-items holds a factor model's item rows)" : ""));
    }
    warm.checkSource(source, fineTune, matchUsers);
    this.target = target;
    this.source = source;
    this.match = match;
    this.content = content;
    this.matchUsers = matchUsers;
    this.fineTune = fineTune;
    this.priorStrength = priorStrength;
  }

  /**
   * The factor models' rule: a factor source ({@code ials}, {@code bpr}, {@code mf}) with the
   * target config's factor count.
   */
  static void checkFactorSource(Trainer target, SourceModel source) {
    if (source.deep()) {
      throw new IllegalArgumentException("a " + target.type() + " model starts from an ials, bpr or mf model, not a "
          + source.type() + " one (a " + source.type() + " model warm-starts " + source.type() + ")");
    }
    int factors = target.configJson().path("factors").asInt(-1);
    if (factors != source.factors()) {
      throw new IllegalArgumentException("the pretrained " + source.type() + " model has " + source.factors()
          + " factors, the " + target.type() + " config " + factors + " (they must be equal)");
    }
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
    int[] sourceRow = new int[n];
    BitSet given = new BitSet(n);
    int byKey = 0;
    int byText = 0;
    int[] warm = new int[n];
    int warmCount = 0;
    for (int i = 0; i < n; i++) {
      int j = match.targetItems().indexOf(items.idOf(i));
      int row = j < 0 ? -1 : match.sourceRow(j);
      sourceRow[i] = row;
      if (row < 0) {
        continue;
      }
      given.set(i);
      warm[warmCount++] = i;
      if (match.origin(j) == ItemMatch.Origin.TEXT) {
        byText++;
      } else {
        byKey++;
      }
    }
    ItemFeatures features = null;
    int[] described = new int[0];
    if (content != null && warmCount > 0 && warmCount < n) {
      HybridConfig h = HybridConfig.defaults();
      features = ContentFeatures.build(content.text() != null ? "tfidf+text" : "tfidf", content, items, h.maxTerms());
      described = java.util.Arrays.stream(warm, 0, warmCount).filter(features::hasContent).toArray();
    }
    BitSet mappedItems = new BitSet(n);
    if (described.length > 0) {
      for (int i = 0; i < n; i++) {
        if (!given.get(i) && features.hasContent(i)) {
          mappedItems.set(i);
        }
      }
    }
    float[] itemVectors = startTable(source.itemFactors(), k, sourceRow, features, described, mappedItems);
    java.util.Map<String, float[]> itemTables = new java.util.LinkedHashMap<>();
    java.util.Map<String, SourceModel.Parameter> dense = new java.util.LinkedHashMap<>();
    for (java.util.Map.Entry<String, SourceModel.Parameter> e : source.parameters().entrySet()) {
      SourceModel.Parameter p = e.getValue();
      if (source.itemTables().contains(e.getKey())) {
        itemTables.put(e.getKey(), e.getKey().equals(source.itemTables().get(0)) ? itemVectors
            : startTable(p.values(), p.cols(), sourceRow, features, described, mappedItems));
      } else if (!p.table()) {
        dense.put(e.getKey(), p);
      }
    }
    given.or(mappedItems);
    int mapped = mappedItems.cardinality();
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
    return new WarmStart(k, itemVectors, given, userVectors, givenUsers, fineTune, priorStrength, source.type(),
        itemTables, dense);
  }

  /**
   * An {@code n × cols} table for the target's items: the matched items' source rows, and for
   * {@code mapped} items a ridge mapping from content to the columns, fitted on the {@code described}
   * matched items.
   */
  private static float[] startTable(float[] sourceValues, int cols, int[] sourceRow, ItemFeatures features,
      int[] described, BitSet mapped) {
    int n = sourceRow.length;
    float[] table = new float[n * cols];
    for (int i = 0; i < n; i++) {
      if (sourceRow[i] >= 0) {
        System.arraycopy(sourceValues, sourceRow[i] * cols, table, i * cols, cols);
      }
    }
    if (!mapped.isEmpty()) {
      HybridConfig h = HybridConfig.defaults();
      ContentMapping mapping = ContentMapping.fit(features, described, table, cols, h.ridge(), h.mapIterations());
      for (int i = mapped.nextSetBit(0); i >= 0; i = mapped.nextSetBit(i + 1)) {
        mapping.map(features, i, table, i * cols);
      }
    }
    return table;
  }
}
