package io.perennial.data;

import java.util.Arrays;

/**
 * Each user's interactions in time order: by timestamp, ties in log order (so a file without
 * timestamps, whose positions stand in for time, keeps its file order). The shared view of
 * sequential models and of the leave-one-out split. Stored as CSR over event indices of the log it
 * was built from (two int arrays), immutable.
 */
public final class UserSequences {

  private final InteractionLog log;
  private final int[] start;
  private final int[] events;

  private UserSequences(InteractionLog log, int[] start, int[] events) {
    this.log = log;
    this.start = start;
    this.events = events;
  }

  /** The sequences of every user of {@code log} (users {@code 0..log.userBound()-1}). */
  public static UserSequences of(InteractionLog log) {
    int users = log.userBound();
    int[] start = new int[users + 1];
    for (int e = 0; e < log.size(); e++) {
      start[log.user(e) + 1]++;
    }
    for (int u = 0; u < users; u++) {
      start[u + 1] += start[u];
    }
    // A counting sort by user over the time order keeps each user's events in time order.
    int[] fill = Arrays.copyOf(start, users);
    int[] events = new int[log.size()];
    for (int e : log.indicesByTime()) {
      events[fill[log.user(e)]++] = e;
    }
    return new UserSequences(log, start, events);
  }

  /** The log the event indices refer to. */
  public InteractionLog log() {
    return log;
  }

  /** Users covered: {@code 0..users()-1}. */
  public int users() {
    return start.length - 1;
  }

  /** Length of {@code user}'s sequence (0 for a user without events or beyond {@link #users()}). */
  public int length(int user) {
    return user < 0 || user >= users() ? 0 : start[user + 1] - start[user];
  }

  /** Index into {@link #log()} of the {@code n}-th (0-based, oldest first) event of {@code user}. */
  public int event(int user, int n) {
    if (n < 0 || n >= length(user)) {
      throw new IndexOutOfBoundsException("event " + n + " of user " + user + " (length " + length(user) + ")");
    }
    return events[start[user] + n];
  }

  /** The items of {@code user}'s sequence, oldest first (a new array). */
  public int[] items(int user) {
    int[] out = new int[length(user)];
    for (int n = 0; n < out.length; n++) {
      out[n] = log.item(events[start[user] + n]);
    }
    return out;
  }

  /** The event indices of {@code user}'s sequence, oldest first (a new array). */
  public int[] events(int user) {
    int len = length(user);
    return len == 0 ? new int[0] : Arrays.copyOfRange(events, start[user], start[user] + len);
  }

  /** Total events over all users. */
  public int size() {
    return events.length;
  }
}
