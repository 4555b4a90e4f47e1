package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.content.CatalogEncoder;
import io.perennial.content.ItemEmbeddings;
import io.perennial.content.ItemText;
import io.perennial.content.MiniLmEncoder;
import io.perennial.data.DataFormatException;
import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.ItemCatalog;
import io.perennial.data.ItemMetadata;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import io.perennial.model.content.ItemContent;
import io.perennial.model.content.TextVectors;
import io.perennial.model.transfer.FineTune;
import io.perennial.model.transfer.ItemKey;
import io.perennial.model.transfer.ItemMatch;
import io.perennial.model.transfer.PretrainedTrainer;
import io.perennial.model.transfer.SourceModel;
import io.perennial.model.transfer.TransferCounts;
import io.perennial.store.Checkpoint;
import io.perennial.store.CheckpointException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --pretrained FILE.pmdl} and its matching and fine-tuning options (train, evaluate,
 * simulate): the model starts from another model's item vectors. The source catalogue's titles
 * come from {@code --pretrained-items}, or from the {@code FILE.pmdl.items.jsonl} that {@code train
 * --items} writes beside the model.
 */
final class PretrainedOptions {

  /** The default {@code --fine-tune}. */
  static final String DEFAULT_FINE_TUNE = "auto";
  /** The default {@code --prior-strength}. */
  static final String DEFAULT_PRIOR_STRENGTH = "100";

  @Option(names = "--pretrained", paramLabel = "FILE",
      description = "Start from this model's item vectors (an ials, bpr or mf checkpoint, e.g. trained on another "
          + "domain's users; for sasrec and neumf also a checkpoint of their own type, whose every layer is copied): "
          + "items matched by --item-key (then by text) start from the source's vectors, the "
          + "others from a content mapping (with --items) or at random; users start fresh (see --user-key).")
  Path pretrained;

  @Option(names = "--item-key", defaultValue = "id", paramLabel = "id|title",
      description = "How items are matched to the pretrained model's: the same id, or the same normalised title "
          + "(case, accents and punctuation ignored; a trailing (year) must agree when both have one; needs "
          + "--items and the source's titles). Default: ${DEFAULT-VALUE}.")
  String itemKey;

  @Option(names = "--pretrained-items", paramLabel = "FILE",
      description = "The pretrained model's item catalogue (titles for --item-key title and the text match). "
          + "Default: FILE.pmdl.items.jsonl beside the model, which 'train --items' writes.")
  Path pretrainedItems;

  @Option(names = "--match-threshold", defaultValue = "0.9", paramLabel = "COS",
      description = "Items the key leaves unmatched take the source item (among those no key claimed) of most similar "
          + "text, when the cosine of their sentence embeddings reaches this (needs --items and the source "
          + "catalogue; above 1 turns the text match off). Default: ${DEFAULT-VALUE}.")
  float matchThreshold;

  @Option(names = "--fine-tune", defaultValue = DEFAULT_FINE_TUNE, paramLabel = "MODE",
      description = "auto (prior for iALS, full for the others), full (start from the vectors, train as usual), freeze-items (transferred item rows fixed, "
          + "users learned), prior (iALS: transferred item rows pulled toward their source vector with "
          + "--prior-strength), lr-ratio:R (SGD and deep models: transferred rows, and a deep source's copied layers, "
          + "learn at R × the rate), progressive:N (those frozen for N epochs, then free), freeze:NAME,NAME (sasrec, "
          + "neumf: the named layers fixed, e.g. freeze:items,block0 or freeze:embeddings,attention). "
          + "Default: ${DEFAULT-VALUE}.")
  String fineTune;

  @Option(names = "--prior-strength", defaultValue = DEFAULT_PRIOR_STRENGTH, paramLabel = "S",
      description = "λ_prior of --fine-tune prior: each item solve adds S·‖q_i − q_i^src‖² (the model's own λ is "
          + "the scale: iALS's default is 35). Default: ${DEFAULT-VALUE}.")
  float priorStrength;

  @Option(names = "--user-key", defaultValue = "none", paramLabel = "none|id",
      description = "id: target users start from the pretrained user of the same id (one domain, the same "
          + "people); none: every user starts fresh. Default: ${DEFAULT-VALUE}.")
  String userKey;

  private Checkpoint checkpoint;
  private SourceModel source;
  private PretrainedTrainer last;
  private ItemMatch match;
  private ItemCatalog sourceCatalog;
  private boolean sourceCatalogRead;

  boolean active() {
    return pretrained != null;
  }

  /** The pretrained checkpoint, read once; a clear error for a missing or unreadable file. */
  Checkpoint checkpoint() {
    if (checkpoint == null) {
      if (!Files.isRegularFile(pretrained)) {
        throw new UserException("--pretrained: " + pretrained + ": no such model file");
      }
      try {
        checkpoint = Checkpoint.read(pretrained);
      } catch (CheckpointException e) {
        throw new UserException("--pretrained: " + e.getMessage());
      }
    }
    return checkpoint;
  }

  private SourceModel source() {
    if (source == null) {
      Checkpoint c = checkpoint();
      Recommender model;
      try {
        model = Algorithms.restore(c.state());
        source = SourceModel.of(model, c.users(), c.items());
      } catch (IllegalArgumentException e) {
        throw new UserException("--pretrained: " + pretrained + ": " + e.getMessage());
      }
    }
    return source;
  }

  /**
   * {@code overrides} with what the warm-started model must share with the pretrained one: a factor
   * model's factor count (an explicit different {@code factors} is refused); for SASRec from a
   * factor source its width, from a SASRec source its width, blocks, heads and max length; for
   * NeuMF from a factor source its GMF width, from a NeuMF source its widths and MLP layers. Fields
   * the user set stay as set: the warm start's shape check then names the layer that differs.
   */
  JsonNode overrides(JsonNode overrides, String model) {
    if (!active()) {
      return overrides;
    }
    SourceModel src = source();
    int k = src.factors();
    ObjectNode o = overrides != null && overrides.isObject() ? ((ObjectNode) overrides).deepCopy() : Json.object();
    JsonNode sourceConfig = checkpoint().state().config();
    switch (model) {
      case "sasrec" -> {
        if (src.deep()) {
          adopt(o, sourceConfig, "factors", "blocks", "heads", "maxLength");
        } else {
          adoptWidth(o, "factors", k, model);
        }
        return o;
      }
      case "neumf" -> {
        if (src.deep()) {
          adopt(o, sourceConfig, "gmfFactors", "mlpFactors", "mlpLayers");
        } else if (!o.has("gmfFactors") && !o.has("mlpFactors") && !o.has("mlpLayers")) {
          o.put("gmfFactors", k);
        }
        return o;
      }
      default -> {
        if (!Algorithms.defaults(model).has("factors")) {
          throw new UserException("--pretrained: a " + model + " model has no factor tables to start from "
              + "(use ials, bpr, mf, sasrec or neumf)");
        }
        if (o.has("factors") && o.get("factors").asInt() != k) {
          throw new UserException("--pretrained: " + pretrained + " has " + k + " factors but --config sets "
              + o.get("factors").asInt() + " (a warm start needs the same)");
        }
        o.put("factors", k);
        return o;
      }
    }
  }

  /** The source's {@code fields} where the user's config leaves them out. */
  private static void adopt(ObjectNode o, JsonNode sourceConfig, String... fields) {
    for (String f : fields) {
      if (!o.has(f) && sourceConfig.has(f)) {
        o.set(f, sourceConfig.get(f));
      }
    }
  }

  /** A deep model's embedding width from a factor source: the source's, unless the config says otherwise. */
  private void adoptWidth(ObjectNode o, String field, int k, String model) {
    if (o.has(field) && o.get(field).asInt() != k) {
      throw new UserException("--pretrained: " + pretrained + " has " + k + " factors but --config sets the " + model
          + " " + field + " to " + o.get(field).asInt() + " (the item embedding must be as wide: set " + field
          + " to " + k + " or leave it out)");
    }
    o.put(field, k);
  }

  /**
   * {@code trainer} warm-started from the pretrained model over {@code dataset}'s items, or as it is
   * without {@code --pretrained}. Prints how the items were matched.
   */
  Trainer wrap(Trainer trainer, Dataset dataset, ItemCatalog targetCatalog, ItemContent content, PrintStream out) {
    if (!active()) {
      return trainer;
    }
    FineTune mode;
    ItemKey key;
    try {
      boolean priorWorks = trainer instanceof io.perennial.model.transfer.WarmStartable w
          && w.supports(FineTune.Mode.PRIOR);
      mode = FineTune.parse(fineTune.equals("auto") ? (priorWorks ? "prior" : "full") : fineTune);
    } catch (IllegalArgumentException e) {
      throw new UserException("--fine-tune: " + e.getMessage());
    }
    try {
      key = ItemKey.parse(itemKey);
    } catch (IllegalArgumentException e) {
      throw new UserException("--item-key: " + e.getMessage());
    }
    if (!userKey.equals("none") && !userKey.equals("id")) {
      throw new UserException("--user-key: expected none or id, got '" + userKey + "'");
    }
    if (!(priorStrength >= 0) || !Float.isFinite(priorStrength)) {
      throw new UserException("--prior-strength must be a number >= 0, got " + priorStrength);
    }
    if (!(matchThreshold >= -1) || !Float.isFinite(matchThreshold)) {
      throw new UserException("--match-threshold must be a cosine in [-1, 1] (above 1: off), got " + matchThreshold);
    }
    SourceModel src = source();
    ItemCatalog known = sourceCatalog(); // the pretrained model's catalogue, or null
    if (key == ItemKey.TITLE && (targetCatalog == null || known == null)) {
      throw new UserException("--item-key title needs both catalogues' titles: --items for this data and "
          + (known == null ? "--pretrained-items (or " + ItemOptions.besideModel(pretrained)
              + ", which 'train --items' writes)" : "the source's") + " for the pretrained model");
    }
    if (match == null || match.targetItems() != dataset.items()) {
      // made once per data set: a learning curve and a stream's retrains reuse it (the text pass encodes)
      ItemMatch byKey = ItemMatch.byKey(key, src.items(), id -> known == null ? null : known.title(id),
          dataset.items(), id -> targetCatalog == null ? null : targetCatalog.title(id));
      if (matchThreshold <= 1 && targetCatalog != null && known != null) {
        byKey = textMatched(byKey, known, targetCatalog, out);
      }
      match = byKey;
    }
    PretrainedTrainer warm;
    try {
      warm = new PretrainedTrainer(trainer, src, match, content, userKey.equals("id"), mode, priorStrength);
    } catch (IllegalArgumentException e) {
      throw new UserException("--pretrained: " + e.getMessage());
    }
    warm.warmStart(dataset); // for the summary below; every fit builds its own
    TransferCounts counts = warm.lastCounts();
    if (last == null || !counts.equals(last.lastCounts())) {
      out.println(counts.summary());
    }
    last = warm;
    return warm;
  }

  /** The counts of the latest warm start, as the evaluation JSON records them; null without one. */
  ObjectNode countsJson() {
    if (last == null || last.lastCounts() == null) {
      return null;
    }
    return json(last.lastCounts(), pretrained);
  }

  static ObjectNode json(TransferCounts c, Path source) {
    ObjectNode o = Json.object();
    o.put("pretrained", source.toString());
    o.put("item_key", c.key());
    o.put("matched_by_" + c.key(), c.matchedByKey());
    o.put("matched_by_text", c.matchedByText());
    o.put("mapped", c.mapped());
    o.put("fresh", c.fresh());
    o.put("source_items", c.sourceItems());
    o.put("matched_users", c.matchedUsers());
    o.put("fine_tune", c.fineTune());
    return o;
  }

  private ItemCatalog sourceCatalog() {
    if (!sourceCatalogRead) {
      sourceCatalog = readSourceCatalog();
      sourceCatalogRead = true;
    }
    return sourceCatalog;
  }

  private ItemCatalog readSourceCatalog() {
    Path file = pretrainedItems != null ? pretrainedItems : ItemOptions.besideModel(pretrained);
    if (pretrainedItems != null && !Files.exists(pretrainedItems)) {
      throw new UserException("--pretrained-items: " + pretrainedItems + ": no such file");
    }
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return ItemCatalog.read(file);
    } catch (DataFormatException e) {
      throw new UserException("--pretrained-items: " + e.getMessage());
    }
  }

  /**
   * The text pass: encodes only what it compares — the target items the key left unmatched, and the
   * source items no key claimed (reusing FILE.pmdl.items.pemb beside the model when present).
   */
  private ItemMatch textMatched(ItemMatch byKey, ItemCatalog sourceCatalog, ItemCatalog targetCatalog, PrintStream out) {
    List<ItemMetadata> targets = new ArrayList<>();
    for (String id : byKey.unmatchedTargetIds()) {
      ItemMetadata m = targetCatalog.get(id);
      if (m != null) {
        targets.add(m);
      }
    }
    if (targets.isEmpty()) {
      return byKey;
    }
    java.util.Set<Integer> claimed = new java.util.HashSet<>();
    for (int i = 0; i < byKey.size(); i++) {
      if (byKey.sourceRow(i) >= 0) {
        claimed.add(byKey.sourceRow(i));
      }
    }
    List<ItemMetadata> sources = new ArrayList<>();
    IdIndex sourceItems = byKey.sourceItems();
    for (int s = 0; s < sourceItems.size(); s++) {
      ItemMetadata m = claimed.contains(s) ? null : sourceCatalog.get(sourceItems.idOf(s));
      if (m != null) {
        sources.add(m);
      }
    }
    if (sources.isEmpty()) {
      return byKey;
    }
    ItemEmbeddings cache = EncodeOptions.cache(ItemOptions.embeddingsBesideModel(pretrained));
    out.println("text match: encoding " + targets.size() + " unmatched items and " + sources.size()
        + " unclaimed source items");
    ItemEmbeddings targetVectors;
    ItemEmbeddings sourceVectors;
    try (MiniLmEncoder encoder = MiniLmEncoder.create(MiniLmEncoder.QUANTIZED, Runtime.getRuntime().availableProcessors())) {
      CatalogEncoder catalogEncoder = new CatalogEncoder(encoder, ItemText.defaults(), CatalogEncoder.DEFAULT_BATCH);
      sourceVectors = catalogEncoder.encode(ItemCatalog.of(sources), cache, Terminal.encodingProgress(out)).embeddings();
      targetVectors = catalogEncoder.encode(ItemCatalog.of(targets), null, Terminal.encodingProgress(out)).embeddings();
    } catch (IllegalArgumentException e) {
      throw new UserException("text match: the encoder is unavailable (" + e.getMessage()
          + "); give --match-threshold 2 to match by key only");
    }
    return byKey.withText(ContentOptions.textVectors(sourceVectors), ContentOptions.textVectors(targetVectors),
        matchThreshold);
  }
}
