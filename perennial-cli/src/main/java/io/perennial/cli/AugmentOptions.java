package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.model.sasrec.SequenceAugmentation;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --augment} and {@code --contrastive-weight} (SASRec only; train, evaluate, simulate):
 * CL4SRec's sequence augmentation, written into the model's config as {@code augment} and {@code
 * contrastiveWeight} over what {@code --config} gives.
 */
final class AugmentOptions {

  @Option(names = "--augment", paramLabel = "OPS",
      description = "sasrec: CL4SRec sequence augmentation, any of crop,mask,reorder (each contrastive view draws "
          + "one; rates cropRatio 0.6, maskRatio 0.3, reorderRatio 0.6 in --config): adds the contrastive loss over "
          + "two views of every training sequence (and, with \"augmentExtra\": true in --config, augmented copies "
          + "trained as extra sequences).")
  String augment;

  @Option(names = "--contrastive-weight", paramLabel = "W",
      description = "sasrec: weight of the contrastive loss added to the next-item loss (0 = none; needs "
          + "--augment or \"augment\" in --config). Default: 0.1.")
  Float contrastiveWeight;

  boolean active() {
    return augment != null || contrastiveWeight != null;
  }

  /**
   * {@code overrides} (may be null) with the options written in for {@code model}; refuses them
   * for any model but sasrec, and bad operator names or weights, by option name.
   */
  JsonNode apply(String model, JsonNode overrides) {
    if (!active()) {
      return overrides;
    }
    if (!model.equals("sasrec")) {
      throw new UserException((augment != null ? "--augment" : "--contrastive-weight")
          + " applies to --model sasrec only, not " + model);
    }
    ObjectNode out = overrides == null || overrides.isNull() ? Json.object() : ((ObjectNode) overrides).deepCopy();
    if (augment != null) {
      List<SequenceAugmentation.Operator> ops;
      try {
        ops = SequenceAugmentation.Operator.parseList(augment);
      } catch (IllegalArgumentException e) {
        throw new UserException("--augment: " + e.getMessage());
      }
      if (ops.isEmpty()) {
        throw new UserException("--augment: give at least one of crop, mask, reorder");
      }
      ArrayNode list = out.putArray("augment");
      ops.forEach(op -> list.add(op.name().toLowerCase(java.util.Locale.ROOT)));
    }
    if (contrastiveWeight != null) {
      if (!(contrastiveWeight >= 0) || !Float.isFinite(contrastiveWeight)) {
        throw new UserException("--contrastive-weight must be a number >= 0, got " + contrastiveWeight);
      }
      out.put("contrastiveWeight", contrastiveWeight);
    }
    if (!out.has("augment") || out.get("augment").isEmpty()) {
      throw new UserException("--contrastive-weight needs --augment (or \"augment\" in --config): the views it "
          + "contrasts are augmented sequences");
    }
    return out;
  }
}
