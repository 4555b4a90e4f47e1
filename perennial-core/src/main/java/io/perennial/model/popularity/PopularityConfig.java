package io.perennial.model.popularity;

/**
 * @param halfLifeDays an event's weight halves every this many days before the newest event
 *     (0 = every event counts 1)
 */
public record PopularityConfig(double halfLifeDays) {
  public PopularityConfig {
    if (halfLifeDays < 0 || Double.isNaN(halfLifeDays)) {
      throw new IllegalArgumentException("halfLifeDays must be >= 0");
    }
  }

  public static PopularityConfig defaults() {
    return new PopularityConfig(0);
  }
}
