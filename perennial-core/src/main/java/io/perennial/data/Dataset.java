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

  public Dataset(IdIndex users, IdIndex items, InteractionLog log, ReadReport report) {
    this.users = Objects.requireNonNull(users);
    this.items = Objects.requireNonNull(items);
    this.log = Objects.requireNonNull(log);
    this.report = Objects.requireNonNull(report);
    if (log.userBound() > users.size() || log.itemBound() > items.size()) {
      throw new IllegalArgumentException("log refers to ids outside the indexes");
    }
  }

  public IdIndex users() {
    return users;
  }

  public IdIndex items() {
    return items;
  }

  public InteractionLog log() {
    return log;
  }

  public ReadReport report() {
    return report;
  }

  public int userCount() {
    return users.size();
  }

  public int itemCount() {
    return items.size();
  }

  public int size() {
    return log.size();
  }

  /** The same ids with another log (a split, a filtered copy). */
  public Dataset withLog(InteractionLog other) {
    return new Dataset(users, items, other, report);
  }

  public CsrMatrix byUser() {
    return CsrMatrix.byUser(log, users.size(), items.size());
  }
}
