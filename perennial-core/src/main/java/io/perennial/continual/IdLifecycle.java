package io.perennial.continual;

import io.perennial.model.AbstractRecommender;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Admission and eviction of ids, after Monolith (Liu et al., "Monolith: Real Time Recommendation
 * System With Collisionless Embedding Table", 2022): an id is learned only once it has occurred
 * {@code admitAfter} times — until then its events wait and the user gets the shared fallback
 * (popularity) while the item is not recommended — and ids unseen for {@code evictAfterSeconds} of
 * stream time are evicted (user: history forgotten and row zeroed; item: row zeroed and withdrawn),
 * which bounds what the model holds to the ids that are alive.
 */
public final class IdLifecycle {

  private final int admitAfter;
  private final long evictAfterSeconds;
  private int[] userCounts = new int[0];
  private int[] itemCounts = new int[0];
  private long[] userLastSeen = new long[0];
  private long[] itemLastSeen = new long[0];
  private final List<StreamEvent> waiting = new ArrayList<>();
  private long lastSweep = Long.MIN_VALUE;
  private int evictedUsers;
  private int evictedItems;

  public IdLifecycle(int admitAfter, long evictAfterSeconds) {
    if (admitAfter < 1 || evictAfterSeconds < 0) {
      throw new IllegalArgumentException("admitAfter must be >= 1 and evictAfterSeconds >= 0");
    }
    this.admitAfter = admitAfter;
    this.evictAfterSeconds = evictAfterSeconds;
  }

  /** Whether either mechanism is switched on. */
  public boolean active() {
    return admitAfter > 1 || evictAfterSeconds > 0;
  }

  /** Marks every id of the warm-up as admitted and seen at its last event. */
  public void warmUp(io.perennial.data.InteractionLog log) {
    for (int e = 0; e < log.size(); e++) {
      count(log.user(e), log.item(e), log.timestamp(e), admitAfter);
    }
  }

  /**
   * Counts the event and returns the events that may now be learned, in stream order: this one if
   * both its ids are admitted, plus any waiting events whose ids just became admitted.
   */
  public List<StreamEvent> admit(StreamEvent e) {
    boolean userWasIn = admitted(userCounts, e.user());
    boolean itemWasIn = admitted(itemCounts, e.item());
    count(e.user(), e.item(), e.timestamp(), 1);
    if (admitted(userCounts, e.user()) && admitted(itemCounts, e.item())) {
      if (userWasIn && itemWasIn) {
        return List.of(e);
      }
      List<StreamEvent> ready = new ArrayList<>();
      for (var it = waiting.iterator(); it.hasNext(); ) {
        StreamEvent w = it.next();
        if (admitted(userCounts, w.user()) && admitted(itemCounts, w.item())) {
          ready.add(w);
          it.remove();
        }
      }
      ready.add(e);
      return ready;
    }
    waiting.add(e);
    return List.of();
  }

  /** Whether an item may be recommended (it has been admitted and not evicted since). */
  public boolean itemAdmitted(int item) {
    return admitted(itemCounts, item);
  }

  /**
   * Evicts ids unseen for {@code evictAfterSeconds} before {@code now} from {@code model}; runs at
   * most once per tenth of the eviction horizon of stream time.
   */
  public void sweep(long now, AbstractRecommender model) {
    if (evictAfterSeconds == 0 || (lastSweep != Long.MIN_VALUE && now - lastSweep < Math.max(1, evictAfterSeconds / 10))) {
      return;
    }
    lastSweep = now;
    long cutoff = now - evictAfterSeconds;
    for (int u = 0; u < userCounts.length; u++) {
      if (userCounts[u] > 0 && userLastSeen[u] < cutoff) {
        userCounts[u] = 0;
        model.evictUser(u);
        evictedUsers++;
      }
    }
    for (int i = 0; i < itemCounts.length; i++) {
      if (itemCounts[i] > 0 && itemLastSeen[i] < cutoff) {
        itemCounts[i] = 0;
        if (i < model.itemCount()) {
          model.retireItem(i);
        }
        evictedItems++;
      }
    }
    waiting.removeIf(w -> w.timestamp() < cutoff);
  }

  /** Users admitted and not evicted. */
  public int liveUsers() {
    return (int) Arrays.stream(userCounts).filter(c -> c >= admitAfter).count();
  }

  /** Items admitted and not evicted. */
  public int liveItems() {
    return (int) Arrays.stream(itemCounts).filter(c -> c >= admitAfter).count();
  }

  public int evictedUsers() {
    return evictedUsers;
  }

  public int evictedItems() {
    return evictedItems;
  }

  /** Events held back until their ids are admitted. */
  public int waiting() {
    return waiting.size();
  }

  private boolean admitted(int[] counts, int id) {
    return id < counts.length && counts[id] >= admitAfter;
  }

  private void count(int user, int item, long timestamp, int by) {
    if (user >= userCounts.length) {
      int c = Math.max(user + 1, userCounts.length * 3 / 2 + 16);
      userCounts = Arrays.copyOf(userCounts, c);
      userLastSeen = Arrays.copyOf(userLastSeen, c);
    }
    if (item >= itemCounts.length) {
      int c = Math.max(item + 1, itemCounts.length * 3 / 2 + 16);
      itemCounts = Arrays.copyOf(itemCounts, c);
      itemLastSeen = Arrays.copyOf(itemLastSeen, c);
    }
    userCounts[user] = Math.min(Integer.MAX_VALUE - 1, userCounts[user] + by);
    itemCounts[item] = Math.min(Integer.MAX_VALUE - 1, itemCounts[item] + by);
    userLastSeen[user] = Math.max(userLastSeen[user], timestamp);
    itemLastSeen[item] = Math.max(itemLastSeen[item], timestamp);
  }
}
