package io.perennial.model.transfer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a warm-started model learns on the target.
 *
 * <ul>
 *   <li>{@code full}: start from the transferred vectors and train as usual;
 *   <li>{@code freeze-items}: transferred item rows stay fixed, everything else learns (feature
 *       extraction);
 *   <li>{@code prior}: transferred item rows are pulled toward their source vector by
 *       {@code strength · ‖q_i − q_i^src‖²} in every item solve (iALS) or step (SGD models);
 *   <li>{@code lr-ratio:R}: transferred rows learn at R × the learning rate of new ones (SGD models);
 *   <li>{@code progressive:N}: transferred item rows frozen for the first N epochs, then free;
 *   <li>{@code freeze:NAME,NAME}: the deep models' named layers (e.g. {@code items}, {@code block0},
 *       {@code attention}) held fixed for the whole training, everything else learns.
 * </ul>
 *
 * <p>For the deep models (SASRec, NeuMF) warm-started from a network of their own type, the
 * "transferred" parameters of {@code lr-ratio} and {@code progressive} are the matched item rows
 * and every copied dense layer.
 *
 * @param mode the choice
 * @param ratio the learning-rate ratio of {@code lr-ratio} (1 otherwise)
 * @param frozenEpochs the frozen epochs of {@code progressive} (0 otherwise)
 * @param frozenLayers the layer names of {@code freeze:} (empty otherwise), as given
 */
public record FineTune(Mode mode, float ratio, int frozenEpochs, List<String> frozenLayers) {

  /** The fine-tuning choices. */
  public enum Mode { FULL, FREEZE_ITEMS, PRIOR, LR_RATIO, PROGRESSIVE, FREEZE_LAYERS }

  public FineTune {
    if (!(ratio >= 0) || !Float.isFinite(ratio) || frozenEpochs < 0) {
      throw new IllegalArgumentException("fine-tune ratio must be >= 0 and frozen epochs >= 0");
    }
    frozenLayers = List.copyOf(frozenLayers);
    if ((mode == Mode.FREEZE_LAYERS) == frozenLayers.isEmpty()) {
      throw new IllegalArgumentException("freeze:NAME,... needs at least one layer name, and only it has any");
    }
  }

  /** A choice other than {@code freeze:}. */
  public FineTune(Mode mode, float ratio, int frozenEpochs) {
    this(mode, ratio, frozenEpochs, List.of());
  }

  /**
   * {@code full}, {@code freeze-items}, {@code prior}, {@code lr-ratio:R}, {@code progressive:N} or
   * {@code freeze:NAME,NAME} (the names are checked by the model that trains).
   */
  public static FineTune parse(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    switch (s) {
      case "full":
        return new FineTune(Mode.FULL, 1f, 0);
      case "freeze-items":
        return new FineTune(Mode.FREEZE_ITEMS, 0f, 0);
      case "prior":
        return new FineTune(Mode.PRIOR, 1f, 0);
      default:
        break;
    }
    if (s.startsWith("lr-ratio:")) {
      float r;
      try {
        r = Float.parseFloat(s.substring("lr-ratio:".length()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("lr-ratio:R needs a number R >= 0, got '" + text + "'");
      }
      if (!(r >= 0) || !Float.isFinite(r)) {
        throw new IllegalArgumentException("lr-ratio:R needs a number R >= 0, got '" + text + "'");
      }
      return new FineTune(Mode.LR_RATIO, r, 0);
    }
    if (s.startsWith("freeze:")) {
      List<String> names = new ArrayList<>();
      for (String name : s.substring("freeze:".length()).split(",", -1)) {
        if (name.isBlank()) {
          throw new IllegalArgumentException("freeze:NAME,NAME needs layer names separated by commas, got '" + text + "'");
        }
        if (!names.contains(name.strip())) {
          names.add(name.strip());
        }
      }
      return new FineTune(Mode.FREEZE_LAYERS, 1f, 0, names);
    }
    if (s.startsWith("progressive:")) {
      int n;
      try {
        n = Integer.parseInt(s.substring("progressive:".length()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("progressive:N needs a whole number N >= 0, got '" + text + "'");
      }
      if (n < 0) {
        throw new IllegalArgumentException("progressive:N needs a whole number N >= 0, got '" + text + "'");
      }
      return new FineTune(Mode.PROGRESSIVE, 1f, n);
    }
    throw new IllegalArgumentException("unknown fine-tune mode '" + text
        + "' (expected full, freeze-items, prior, lr-ratio:R, progressive:N or freeze:NAME,NAME)");
  }

  /** Whether the transferred item rows are held fixed in epoch {@code epoch} (0-based). */
  public boolean itemsFrozenAt(int epoch) {
    return mode == Mode.FREEZE_ITEMS || (mode == Mode.PROGRESSIVE && epoch < frozenEpochs);
  }

  /** As the CLI spells it. */
  @Override
  public String toString() {
    return switch (mode) {
      case FULL -> "full";
      case FREEZE_ITEMS -> "freeze-items";
      case PRIOR -> "prior";
      case LR_RATIO -> "lr-ratio:" + ratio;
      case PROGRESSIVE -> "progressive:" + frozenEpochs;
      case FREEZE_LAYERS -> "freeze:" + String.join(",", frozenLayers);
    };
  }
}
