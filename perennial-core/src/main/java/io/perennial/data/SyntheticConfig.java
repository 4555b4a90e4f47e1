package io.perennial.data;

/**
 * Parameters of the synthetic world. Every random choice flows from {@code seed}.
 *
 * @param seed RNG seed
 * @param users users present at the start
 * @param items items present at the start
 * @param factors latent dimensions of user tastes and item traits
 * @param itemZipfExponent Zipf exponent of item popularity (about 1 in real catalogues)
 * @param userActivityExponent skew of user activity; larger means a few users produce most events
 * @param candidatesPerEvent popular items considered per event before the user's taste picks one
 * @param tasteTemperature softmax temperature of the taste choice; lower is more predictable
 * @param tasteDrift standard deviation of each user's taste random-walk step per event
 * @param itemLifetimeEvents mean events an item stays popular before fading (0 = never fades)
 * @param newUserRate probability that an event comes from a brand-new user
 * @param newItemRate probability that an event introduces a brand-new item
 * @param shiftAt fraction of {@code events} at which every taste jumps (negative = no shift)
 * @param events events the generator produces
 * @param startTimestamp epoch seconds of the first event
 * @param secondsPerEvent stream time between consecutive events
 * @param ratings emit 0.5–5 star ratings instead of implicit events of value 1
 * @param maxUsers cap on users, bounding memory (arrivals stop there)
 * @param maxItems cap on items, bounding memory
 */
public record SyntheticConfig(
    long seed,
    int users,
    int items,
    int factors,
    double itemZipfExponent,
    double userActivityExponent,
    int candidatesPerEvent,
    double tasteTemperature,
    double tasteDrift,
    long itemLifetimeEvents,
    double newUserRate,
    double newItemRate,
    double shiftAt,
    long events,
    long startTimestamp,
    long secondsPerEvent,
    boolean ratings,
    int maxUsers,
    int maxItems) {

  public SyntheticConfig {
    require(users > 0 && items > 0, "users and items must be positive");
    require(factors > 0 && factors <= 1024, "factors must be in 1..1024");
    require(itemZipfExponent >= 0, "itemZipfExponent must be >= 0");
    require(userActivityExponent >= 1, "userActivityExponent must be >= 1");
    require(candidatesPerEvent >= 1, "candidatesPerEvent must be >= 1");
    require(tasteTemperature > 0, "tasteTemperature must be > 0");
    require(tasteDrift >= 0, "tasteDrift must be >= 0");
    require(itemLifetimeEvents >= 0, "itemLifetimeEvents must be >= 0");
    require(newUserRate >= 0 && newUserRate < 1, "newUserRate must be in [0,1)");
    require(newItemRate >= 0 && newItemRate < 1, "newItemRate must be in [0,1)");
    require(shiftAt < 1, "shiftAt must be < 1 (negative for none)");
    require(events >= 0, "events must be >= 0");
    require(secondsPerEvent >= 0, "secondsPerEvent must be >= 0");
    require(maxUsers >= users && maxItems >= items, "caps must be at least the initial sizes");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** A small world with mild drift: the quickstart default. */
  public static SyntheticConfig defaults() {
    return new SyntheticConfig(
        42L, 2_000, 1_000, 16, 1.0, 2.0, 24, 0.25, 0.01, 0, 0.002, 0.001, -1, 200_000,
        1_600_000_000L, 30, false, 1_000_000, 1_000_000);
  }

  /** The same world, generating {@code n} events. */
  public SyntheticConfig withEvents(long n) {
    return new SyntheticConfig(seed, users, items, factors, itemZipfExponent, userActivityExponent,
        candidatesPerEvent, tasteTemperature, tasteDrift, itemLifetimeEvents, newUserRate,
        newItemRate, shiftAt, n, startTimestamp, secondsPerEvent, ratings, maxUsers, maxItems);
  }

  /** The same settings with another random seed. */
  public SyntheticConfig withSeed(long s) {
    return new SyntheticConfig(s, users, items, factors, itemZipfExponent, userActivityExponent,
        candidatesPerEvent, tasteTemperature, tasteDrift, itemLifetimeEvents, newUserRate,
        newItemRate, shiftAt, events, startTimestamp, secondsPerEvent, ratings, maxUsers, maxItems);
  }

  /**
   * The same world with these arrival rates of new users and items; {@code (0, 0)} is a world of
   * fixed size, which {@link SyntheticGenerator#generate} generates in parallel.
   */
  public SyntheticConfig withArrivals(double userRate, double itemRate) {
    return new SyntheticConfig(seed, users, items, factors, itemZipfExponent, userActivityExponent,
        candidatesPerEvent, tasteTemperature, tasteDrift, itemLifetimeEvents, userRate,
        itemRate, shiftAt, events, startTimestamp, secondsPerEvent, ratings, maxUsers, maxItems);
  }

  /** A world of {@code u} users and {@code i} items at the start. */
  public SyntheticConfig withSize(int u, int i) {
    return new SyntheticConfig(seed, u, i, factors, itemZipfExponent, userActivityExponent,
        candidatesPerEvent, tasteTemperature, tasteDrift, itemLifetimeEvents, newUserRate,
        newItemRate, shiftAt, events, startTimestamp, secondsPerEvent, ratings,
        Math.max(u, maxUsers), Math.max(i, maxItems));
  }

  public SyntheticConfig withShiftAt(double fraction) {
    return new SyntheticConfig(seed, users, items, factors, itemZipfExponent, userActivityExponent,
        candidatesPerEvent, tasteTemperature, tasteDrift, itemLifetimeEvents, newUserRate,
        newItemRate, fraction, events, startTimestamp, secondsPerEvent, ratings, maxUsers, maxItems);
  }

  public SyntheticConfig withNewItemRate(double rate) {
    return new SyntheticConfig(seed, users, items, factors, itemZipfExponent, userActivityExponent,
        candidatesPerEvent, tasteTemperature, tasteDrift, itemLifetimeEvents, newUserRate,
        rate, shiftAt, events, startTimestamp, secondsPerEvent, ratings, maxUsers, maxItems);
  }

  /** With {@code r}, events carry 0.5–5 star ratings instead of the implicit value 1. */
  public SyntheticConfig withRatings(boolean r) {
    return new SyntheticConfig(seed, users, items, factors, itemZipfExponent, userActivityExponent,
        candidatesPerEvent, tasteTemperature, tasteDrift, itemLifetimeEvents, newUserRate,
        newItemRate, shiftAt, events, startTimestamp, secondsPerEvent, r, maxUsers, maxItems);
  }

  public SyntheticConfig withDrift(double drift, long itemLifetime) {
    return new SyntheticConfig(seed, users, items, factors, itemZipfExponent, userActivityExponent,
        candidatesPerEvent, tasteTemperature, drift, itemLifetime, newUserRate,
        newItemRate, shiftAt, events, startTimestamp, secondsPerEvent, ratings, maxUsers, maxItems);
  }
}
