package io.perennial.data;

import java.util.Objects;

/**
 * Interactions with the id indexes that give their dense ints a meaning, plus what reading them
 * did. The log's user and item indices are always below the indexes' sizes.
 */
public final class Dataset {

  private final IdIndex users;
  private final IdIndex items;
  private final InteractionLog log;
  private final ReadReport report;

  /** A dataset of {@code log}, whose dense user and item indices {@code users} and {@code items} name. */
  public Dataset(IdIndex users, IdIndex items, InteractionLog log, ReadReport report) {
    this.users = Objects.requireNonNull(users);
    this.items = Objects.requireNonNull(items);
    this.log = Objects.requireNonNull(log);
    this.report = Objects.requireNonNull(report);
    if (log.userBound() > users.size() || log.itemBound() > items.size()) {
      throw new IllegalArgumentException("log refers to ids outside the indexes");
    }
  }

  /** External user ids by dense user index. */
  public IdIndex users() {
    return users;
  }

  /** External item ids by dense item index. */
  public IdIndex items() {
    return items;
  }

  /** The interactions, in the order read. */
  public InteractionLog log() {
    return log;
  }

  /** What reading did: rows read, kept, invalid, merged. */
  public ReadReport report() {
    return report;
  }

  /** Number of users (dense indices {@code 0..userCount-1}). */
  public int userCount() {
    return users.size();
  }

  /** Number of items (dense indices {@code 0..itemCount-1}). */
  public int itemCount() {
    return items.size();
  }

  /** Number of interactions. */
  public int size() {
    return log.size();
  }

  /** The same ids with another log (a split, a filtered copy). */
  public Dataset withLog(InteractionLog other) {
    return new Dataset(users, items, other, report);
  }

  /** The interactions as a user × item sparse matrix. */
  public CsrMatrix byUser() {
    return CsrMatrix.byUser(log, users.size(), items.size());
  }
}
