package io.perennial.eval;

import java.util.Locale;

/** Evaluation protocols, as named by {@code --protocol}. */
public enum Protocol {
  /** One random hold-out of {@code 1 − trainFraction} of the events. */
  RANDOM,
  /** k random folds; each is the test set once. */
  KFOLD,
  /** Global time split: the earliest {@code trainFraction} of all events train. */
  TEMPORAL,
  /** Per-user time split: each user's earliest {@code trainFraction} of events train. */
  USER_TEMPORAL,
  /**
   * Per-user leave-one-out: in each user's time order the last event tests, the second-to-last
   * validates (early stopping), the rest train; users with fewer than 3 events only train.
   */
  LOO,
  /**
   * Cold-start items: a seeded fraction of the rated items is cold; all their events test, the
   * rest train; test users (≥ 1 train and ≥ 1 test event) are ranked over the cold items only.
   */
  COLD_ITEMS,
  /**
   * Cold-start users: a seeded fraction of the users with more than k events keep only their
   * earliest k in training and test on the rest; every other user only trains.
   */
  COLD_USERS,
  /** Given fold files, e.g. ml-100k {@code u1.base}/{@code u1.test} … {@code u5}. */
  FOLDS;

  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Protocol parse(String text) {
    String key = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (Protocol p : values()) {
      if (p.name().equals(key)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown protocol '" + text + "' (expected random, kfold, temporal, user-temporal, loo, cold-items, cold-users or folds)");
  }
}
