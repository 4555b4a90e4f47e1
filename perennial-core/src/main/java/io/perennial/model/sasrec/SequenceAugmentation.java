package io.perennial.model.sasrec;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * CL4SRec's sequence augmentations (Xie et al., ICDE 2022) on one user's item sequence: crop (a
 * random contiguous sub-sequence), mask (a fraction of positions replaced by a reserved mask
 * token) and reorder (a random contiguous sub-sequence shuffled). Every random choice comes from
 * the {@link SplittableRandom} the caller passes, so a seed fixes every view.
 *
 * <p>Input arrays are never modified; each operator returns a new array.
 */
public final class SequenceAugmentation {

  /** The paper's crop ratio η. */
  public static final float DEFAULT_CROP_RATIO = 0.6f;
  /** The paper's mask ratio γ. */
  public static final float DEFAULT_MASK_RATIO = 0.3f;
  /** The paper's reorder ratio β. */
  public static final float DEFAULT_REORDER_RATIO = 0.6f;

  /** One augmentation operator. */
  public enum Operator {
    CROP, MASK, REORDER;

    /**
     * Parses a comma-separated list such as {@code "crop,mask,reorder"} (case-insensitive, blanks
     * ignored); an empty string is no operators.
     *
     * @throws IllegalArgumentException naming the unknown operator
     */
    public static List<Operator> parseList(String text) {
      if (text == null || text.isBlank()) {
        return List.of();
      }
      return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(name -> {
        try {
          return Operator.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("unknown augmentation '" + name + "' (expected crop, mask or reorder)");
        }
      }).distinct().toList();
    }
  }

  private final float cropRatio;
  private final float maskRatio;
  private final float reorderRatio;
  private final int maskToken;

  /**
   * @param cropRatio η in (0, 1]: the kept share of the sequence
   * @param maskRatio γ in [0, 1): the masked share of the positions
   * @param reorderRatio β in [0, 1]: the shuffled share of the sequence
   * @param maskToken the reserved item index standing for a masked position (an embedding row no
   *     real item uses), or {@link io.perennial.nn.Embedding#PADDING}: SASRec's training reads a
   *     masked position as an empty one (no item vector), so the item table needs no extra row
   */
  public SequenceAugmentation(float cropRatio, float maskRatio, float reorderRatio, int maskToken) {
    if (!(cropRatio > 0 && cropRatio <= 1) || !(maskRatio >= 0 && maskRatio < 1)
        || !(reorderRatio >= 0 && reorderRatio <= 1)) {
      throw new IllegalArgumentException("cropRatio must be in (0, 1], maskRatio in [0, 1), reorderRatio in [0, 1]; got "
          + cropRatio + ", " + maskRatio + ", " + reorderRatio);
    }
    if (maskToken < 0 && maskToken != io.perennial.nn.Embedding.PADDING) {
      throw new IllegalArgumentException("maskToken must be >= 0 or the padding id, got " + maskToken);
    }
    this.cropRatio = cropRatio;
    this.maskRatio = maskRatio;
    this.reorderRatio = reorderRatio;
    this.maskToken = maskToken;
  }

  /** The paper's ratios with the given mask token. */
  public static SequenceAugmentation paperDefaults(int maskToken) {
    return new SequenceAugmentation(DEFAULT_CROP_RATIO, DEFAULT_MASK_RATIO, DEFAULT_REORDER_RATIO, maskToken);
  }

  public int maskToken() {
    return maskToken;
  }

  /** Applies {@code op} to {@code items}. */
  public int[] apply(Operator op, int[] items, SplittableRandom random) {
    return switch (op) {
      case CROP -> crop(items, random);
      case MASK -> mask(items, random);
      case REORDER -> reorder(items, random);
    };
  }

  /**
   * One view: an operator drawn uniformly from {@code ops} applied to {@code items} (the paper's
   * way of building each of the two contrastive views); with no operators, a copy.
   */
  public int[] randomView(List<Operator> ops, int[] items, SplittableRandom random) {
    if (ops.isEmpty()) {
      return items.clone();
    }
    return apply(ops.get(random.nextInt(ops.size())), items, random);
  }

  /** A contiguous sub-sequence of ⌊η·n⌋ items (at least one), starting uniformly at random. */
  public int[] crop(int[] items, SplittableRandom random) {
    int n = items.length;
    if (n == 0) {
      return new int[0];
    }
    int keep = Math.max(1, (int) Math.floor(cropRatio * n));
    int start = random.nextInt(n - keep + 1);
    return Arrays.copyOfRange(items, start, start + keep);
  }

  /** ⌊γ·n⌋ distinct positions, drawn uniformly, replaced by the mask token; the length is kept. */
  public int[] mask(int[] items, SplittableRandom random) {
    int n = items.length;
    int[] out = items.clone();
    int masked = (int) Math.floor(maskRatio * n);
    // A partial Fisher–Yates shuffle of the positions picks `masked` of them without replacement.
    int[] positions = new int[n];
    for (int i = 0; i < n; i++) {
      positions[i] = i;
    }
    for (int i = 0; i < masked; i++) {
      int j = i + random.nextInt(n - i);
      int t = positions[i];
      positions[i] = positions[j];
      positions[j] = t;
      out[positions[i]] = maskToken;
    }
    return out;
  }

  /** A contiguous sub-sequence of ⌊β·n⌋ items, starting uniformly at random, shuffled in place. */
  public int[] reorder(int[] items, SplittableRandom random) {
    int n = items.length;
    int[] out = items.clone();
    int span = (int) Math.floor(reorderRatio * n);
    if (span < 2) {
      return out;
    }
    int start = random.nextInt(n - span + 1);
    for (int i = span - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = out[start + i];
      out[start + i] = out[start + j];
      out[start + j] = t;
    }
    return out;
  }
}
