package io.perennial.model.curriculum;

import java.util.Locale;

/**
 * The share of the training examples (easiest first) an epoch trains on, from {@code start} at epoch
 * 0 to all of them at epoch {@code fullAt} and after.
 */
public enum Pacing {
  /** {@code start + (1 − start) · e / fullAt}. */
  LINEAR,
  /**
   * {@code sqrt(start² + (1 − start²) · e / fullAt)} (Platanios et al.'s square-root competence):
   * adds data fast early, when every new example is most informative.
   */
  ROOT,
  /**
   * Baby steps (Bengio et al., 2009; Spitkovsky et al., 2010): the data in {@code steps} equal
   * buckets beyond the start, one more bucket every {@code fullAt / steps} epochs: {@code start + (1
   * − start) · ⌊e · steps / fullAt⌋ / steps}.
   */
  STEP;

  /** The name in configs: {@code linear}, {@code root} or {@code step}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a config name, naming the choices when it is none of them. */
  public static Pacing parse(String name) {
    for (Pacing p : values()) {
      if (p.configName().equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown curriculum pacing '" + name + "' (expected linear, root or step)");
  }

  /**
   * The share of examples epoch {@code epoch} (0-based) trains on, in {@code (0, 1]}.
   *
   * @param start the share at epoch 0, in {@code (0, 1]}
   * @param fullAt the first epoch that trains on every example ({@code >= 1})
   * @param steps buckets of {@link #STEP} (ignored by the others)
   */
  public double fraction(int epoch, double start, int fullAt, int steps) {
    if (epoch >= fullAt) {
      return 1;
    }
    double t = (double) Math.max(0, epoch) / fullAt;
    double f = switch (this) {
      case LINEAR -> start + (1 - start) * t;
      case ROOT -> Math.sqrt(start * start + (1 - start * start) * t);
      case STEP -> start + (1 - start) * Math.floor((double) Math.max(0, epoch) * steps / fullAt) / steps;
    };
    return Math.min(1, f);
  }
}
