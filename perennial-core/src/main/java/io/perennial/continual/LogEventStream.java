package io.perennial.continual;

import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.ReadReport;
import java.util.Arrays;
import java.util.Comparator;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

/**
 * A stream over an interaction log already in stream order: the event at index {@code n} has
 * offset {@code n}.
 */
public final class LogEventStream implements EventStream {

  private final InteractionLog log;
  private int next;

  public LogEventStream(InteractionLog log) {
    this.log = log;
  }

  @Override
  public boolean hasNext() {
    return next < log.size();
  }

  @Override
  public StreamEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    int n = next++;
    return new StreamEvent(n, log.user(n), log.item(n), log.value(n), log.timestamp(n), log.type(n));
  }

  @Override
  public long position() {
    return next;
  }

  @Override
  public void seek(long offset) {
    if (offset < 0 || offset > log.size()) {
      throw new IllegalArgumentException("offset " + offset + " outside 0.." + log.size());
    }
    next = (int) offset;
  }

  /**
   * The dataset as a stream: events ordered by (timestamp, user id, item id) — ids compared as
   * numbers when both are numeric — and dense ids re-assigned in order of first appearance, so an
   * id at or beyond a model's table size is one the stream has not shown yet.
   */
  public static Dataset inStreamOrder(Dataset data) {
    InteractionLog log = data.log();
    IdIndex users = data.users();
    IdIndex items = data.items();
    Comparator<Integer> order = Comparator.<Integer>comparingLong(log::timestamp)
        .thenComparing(e -> users.idOf(log.user(e)), LogEventStream::compareIds)
        .thenComparing(e -> items.idOf(log.item(e)), LogEventStream::compareIds)
        .thenComparingInt(e -> e);
    int[] sorted = IntStream.range(0, log.size()).boxed().sorted(order).mapToInt(Integer::intValue).toArray();
    int[] userMap = new int[users.size()];
    int[] itemMap = new int[items.size()];
    Arrays.fill(userMap, -1);
    Arrays.fill(itemMap, -1);
    IdIndex newUsers = new IdIndex(users.size());
    IdIndex newItems = new IdIndex(items.size());
    InteractionLog out = new InteractionLog(log.size());
    for (int e : sorted) {
      int u = log.user(e);
      int i = log.item(e);
      if (userMap[u] < 0) {
        userMap[u] = newUsers.getOrAdd(users.idOf(u));
      }
      if (itemMap[i] < 0) {
        itemMap[i] = newItems.getOrAdd(items.idOf(i));
      }
      out.add(userMap[u], itemMap[i], log.value(e), log.timestamp(e), log.type(e));
    }
    ReadReport report = data.report();
    return new Dataset(newUsers, newItems, out, report);
  }

  static int compareIds(String a, String b) {
    boolean numeric = !a.isEmpty() && !b.isEmpty() && a.length() < 19 && b.length() < 19
        && a.chars().allMatch(Character::isDigit) && b.chars().allMatch(Character::isDigit);
    return numeric ? Long.compare(Long.parseLong(a), Long.parseLong(b)) : a.compareTo(b);
  }

}
