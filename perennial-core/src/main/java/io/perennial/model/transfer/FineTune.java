package io.perennial.model.transfer;

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
 *   <li>{@code progressive:N}: transferred item rows frozen for the first N epochs, then free.
 * </ul>
 *
 * @param mode the choice
 * @param ratio the learning-rate ratio of {@code lr-ratio} (1 otherwise)
 * @param frozenEpochs the frozen epochs of {@code progressive} (0 otherwise)
 */
public record FineTune(Mode mode, float ratio, int frozenEpochs) {

  /** The fine-tuning choices. */
  public enum Mode { FULL, FREEZE_ITEMS, PRIOR, LR_RATIO, PROGRESSIVE }

  public FineTune {
    if (!(ratio >= 0) || !Float.isFinite(ratio) || frozenEpochs < 0) {
      throw new IllegalArgumentException("fine-tune ratio must be >= 0 and frozen epochs >= 0");
    }
  }

  /** {@code full}, {@code freeze-items}, {@code prior}, {@code lr-ratio:R} or {@code progressive:N}. */
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
        + "' (expected full, freeze-items, prior, lr-ratio:R or progressive:N)");
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
    };
  }
}
