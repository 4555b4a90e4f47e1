package io.perennial.model;

import io.perennial.data.InteractionLog;
import io.perennial.kernel.TopK;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * What every recommender shares: the user histories (for "exclude seen" and fold-in), item
 * popularity (the fallback for unknown users), and top-K selection over a dense score vector.
 * Subclasses supply {@link #scoreAll(UserQuery, float[])} and {@link #queryFor(int)}.
 */
public abstract class AbstractRecommender implements Recommender {

  /** Per-thread scratch, so concurrent readers never share buffers. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  protected UserHistory history;
  /** Items evicted or not yet admitted: never recommended (see {@link #retireItem}). */
  private final java.util.BitSet retired = new java.util.BitSet();
  protected float[] popularity;
  protected int userCount;
  protected int itemCount;

  protected AbstractRecommender(UserHistory history, float[] popularity, int userCount, int itemCount) {
    this.history = history;
    this.popularity = popularity;
    this.userCount = userCount;
    this.itemCount = itemCount;
  }

  @Override
  public int userCount() {
    return userCount;
  }

  @Override
  public int itemCount() {
    return itemCount;
  }

  public UserHistory history() {
    return history;
  }

  /**
   * Replaces the histories and the popularity fallback after training, for a model trained on
   * more than the user's own events (a distilled student learns from teacher labels, which must
   * not count as items the user has seen).
   */
  public void replaceInteractions(UserHistory history, float[] popularity) {
    if (popularity.length < itemCount) {
      throw new IllegalArgumentException("popularity of " + popularity.length + " items for a model of " + itemCount);
    }
    history.ensureUsers(userCount);
    this.history = history;
    this.popularity = popularity;
  }

  /** Interaction counts per item, the popularity fallback. */
  public float[] popularity() {
    return popularity;
  }

  /** Writes scores for every item into {@code out} (length ≥ item count). */
  protected abstract void scoreAll(UserQuery user, float[] out);

  /**
   * The query for a stored user, or {@code null} when the model knows nothing about the user (then
   * the popularity fallback answers).
   */
  protected abstract UserQuery queryFor(int user);

  @Override
  public Recommendations recommend(int user, int k, boolean excludeSeen, IntPredicate filter) {
    UserQuery query = user >= 0 && user < userCount ? queryFor(user) : null;
    if (query == null) {
      int[] seen = excludeSeen ? history.items(user) : new int[0];
      return select(popularity, seen, k, filter, true);
    }
    Scratch s = SCRATCH.get();
    float[] scores = s.scores(itemCount);
    scoreAll(query, scores);
    return select(scores, excludeSeen ? query.items() : new int[0], k, filter, false);
  }

  @Override
  public void scoreItems(int user, float[] out) {
    UserQuery query = user >= 0 && user < userCount ? queryFor(user) : null;
    if (query == null) {
      System.arraycopy(popularity, 0, out, 0, itemCount);
    } else {
      scoreAll(query, out);
    }
  }

  @Override
  public Recommendations recommend(UserQuery user, int k, IntPredicate filter) {
    if (user.vector() == null && user.items().length == 0 && needsVector()) {
      return select(popularity, user.items(), k, filter, true);
    }
    Scratch s = SCRATCH.get();
    float[] scores = s.scores(itemCount);
    scoreAll(user, scores);
    return select(scores, user.items(), k, filter, false);
  }

  /** Whether {@link #scoreAll} needs a user vector (factor models) rather than the items. */
  protected boolean needsVector() {
    return false;
  }

  /** Top-K of {@code scores[0..itemCount)} skipping the sorted {@code excluded} items. */
  protected Recommendations select(
      float[] scores, int[] excluded, int k, IntPredicate filter, boolean fallback) {
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, got " + k);
    }
    Scratch s = SCRATCH.get();
    TopK top = s.topK(k);
    int e = 0;
    for (int i = 0; i < itemCount; i++) {
      while (e < excluded.length && excluded[e] < i) {
        e++;
      }
      if (e < excluded.length && excluded[e] == i) {
        continue;
      }
      if (filter != null && !filter.test(i)) {
        continue;
      }
      if (!retired.isEmpty() && retired.get(i)) {
        continue;
      }
      top.offer(i, scores[i]);
    }
    int[] ids = new int[top.size()];
    float[] out = new float[top.size()];
    top.drainTo(ids, out);
    return new Recommendations(ids, out, fallback);
  }

  /** Adds the events' counts to the popularity vector, growing it to {@code items}. */
  protected void growPopularity(InteractionLog events, int items) {
    if (popularity.length < items) {
      popularity = Arrays.copyOf(popularity, items);
    }
    for (int i = 0; i < events.size(); i++) {
      popularity[events.item(i)] += 1;
    }
  }

  /** Adds the events to the histories, growing them to {@code users}. */
  protected void growHistory(InteractionLog events, int users) {
    history.ensureUsers(users);
    for (int i = 0; i < events.size(); i++) {
      history.add(events.user(i), events.item(i), events.value(i));
    }
  }

  /**
   * Evicts a user: forgets the history (and, in factor models, zeroes the row), so the user gets the
   * popularity fallback until new events arrive. A write.
   */
  public void evictUser(int user) {
    history.clear(user);
  }

  /**
   * Forgets a user for a deletion request: evicts the row (history, and in models with user
   * parameters the row itself) and takes their events out of the popularity counts. Models with
   * item parameters shaped by the user override this to remove that influence too; here the item
   * side keeps it, so the result is {@link Unlearning.Guarantee#APPROXIMATE} unless the user held
   * nothing. A write.
   *
   * @param user the user's index
   * @param eventItems the item of each of the user's events the model learned (repeats allowed),
   *     or {@code null} to take one count per item of the user's history
   */
  public Unlearning forgetUser(int user, int[] eventItems) {
    int[] touched = history.items(user);
    if (touched.length == 0 && (user < 0 || user >= userCount)) {
      return Unlearning.nothingToForget();
    }
    int itemsTouched = touched.length;
    uncount(eventItems != null ? eventItems : touched);
    evictUser(user);
    return new Unlearning(itemsTouched == 0 ? Unlearning.Guarantee.EXACT : Unlearning.Guarantee.APPROXIMATE,
        itemsTouched, 0, 0, "history and user row removed; item parameters keep the user's influence until a retrain");
  }

  /** Removes one popularity count per listed item (never below zero). */
  protected void uncount(int[] items) {
    for (int item : items) {
      if (item >= 0 && item < popularity.length) {
        popularity[item] = Math.max(0f, popularity[item] - 1f);
      }
    }
  }

  /**
   * Takes an item out of recommendations (evicted, or not admitted yet) and zeroes what the model
   * learned for it; {@link #reviveItem} brings it back. A write.
   */
  public void retireItem(int item) {
    retired.set(item);
    if (item < popularity.length) {
      popularity[item] = 0;
    }
  }

  public void reviveItem(int item) {
    retired.clear(item);
  }

  /** Makes this model's retired items those of {@code other} (a copy of the same items). A write. */
  protected void copyRetiredFrom(AbstractRecommender other) {
    retired.clear();
    retired.or(other.retired);
  }

  public boolean isRetired(int item) {
    return retired.get(item);
  }

  /** Records one event in the histories and the popularity counts, growing them as needed. */
  protected void recordEvent(int user, int item, float value) {
    recordEvent(user, item, value, 1f);
  }

  /** As {@link #recordEvent(int, int, float)}, first multiplying the user's earlier values by {@code decay}. */
  protected void recordEvent(int user, int item, float value, float decay) {
    history.ensureUsers(user + 1);
    history.addDecayed(user, item, value, decay);
    if (popularity.length <= item) {
      popularity = Arrays.copyOf(popularity, Math.max(item + 1, popularity.length + popularity.length / 2 + 16));
    }
    popularity[item] += 1;
  }

  /** Counts of each item in a log. */
  public static float[] countItems(InteractionLog log, int items) {
    float[] counts = new float[items];
    for (int i = 0; i < log.size(); i++) {
      counts[log.item(i)] += 1;
    }
    return counts;
  }

  private static final class Scratch {
    private float[] scores = new float[0];
    private final TopK topK = new TopK(10);

    float[] scores(int n) {
      if (scores.length < n) {
        scores = new float[n];
      }
      return scores;
    }

    TopK topK(int k) {
      topK.reset(k);
      return topK;
    }
  }
}
