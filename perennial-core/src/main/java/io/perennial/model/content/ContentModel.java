package io.perennial.model.content;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionLog;
import io.perennial.data.UserSequences;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.ModelState;
import io.perennial.model.OnlineLearner;
import io.perennial.model.Recommendations;
import io.perennial.model.Update;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import java.util.Arrays;

/**
 * An item is its content vector {@code x_i} (unit length); a user is the recency-weighted mean of
 * their items' vectors, {@code p_u = Σ_j w_j x_j / Σ_j w_j} with {@code w_j = decay^(newer events)};
 * {@code score(u, i) = p_u · x_i}. Nothing is learned per item, so an item with metadata is
 * recommendable before its first event and a user from their first event. A user none of whose
 * items has content gets the popularity fallback.
 */
public final class ContentModel extends AbstractRecommender implements OnlineLearner {

  public static final String TYPE = "content";
  private final ContentConfig config;
  private ItemFeatures features;

  ContentModel(ContentConfig config, ItemFeatures features, UserHistory history, float[] popularity,
      int users, int items) {
    super(history, popularity, users, items);
    this.config = config;
    this.features = features.grownTo(items);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The item vectors. */
  public ItemFeatures features() {
    return features;
  }

  @Override
  public float score(int user, int item) {
    if (item < 0 || item >= itemCount) {
      return Float.NaN;
    }
    UserQuery query = user >= 0 && user < userCount ? queryFor(user) : null;
    return query == null ? popularity[item] : features.dot(item, query.vector());
  }

  @Override
  protected UserQuery queryFor(int user) {
    return profile(history.items(user), history.values(user));
  }

  /** The query of a user with these weighted items, or {@code null} when none has content. */
  private UserQuery profile(int[] items, float[] weights) {
    float[] p = new float[features.dims()];
    double total = 0;
    for (int n = 0; n < items.length; n++) {
      if (features.hasContent(items[n])) {
        features.addTo(items[n], weights[n], p);
        total += weights[n];
      }
    }
    if (total == 0) {
      return null;
    }
    float inverse = (float) (1 / total);
    for (int c = 0; c < p.length; c++) {
      p[c] *= inverse;
    }
    return new UserQuery(items, weights, p, 0);
  }

  @Override
  protected void scoreAll(UserQuery user, float[] out) {
    if (user.vector() == null) {
      System.arraycopy(popularity, 0, out, 0, itemCount);
      return;
    }
    for (int i = 0; i < itemCount; i++) {
      out[i] = features.dot(i, user.vector());
    }
  }

  @Override
  protected boolean needsVector() {
    return true;
  }

  @Override
  public Recommendations similarItems(int item, int k) {
    float[] scores = new float[itemCount];
    for (int j = 0; j < itemCount; j++) {
      scores[j] = features.dot(item, j);
    }
    return select(scores, new int[] {item}, k, null, false);
  }

  /** The query's items weighted by {@code values} (clamped at 0: a dislike adds no taste). */
  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    int[] order = java.util.stream.IntStream.range(0, items.length).boxed()
        .sorted((a, b) -> Integer.compare(items[a], items[b])).mapToInt(Integer::intValue).toArray();
    int[] sorted = new int[items.length];
    float[] weights = new float[items.length];
    for (int n = 0; n < order.length; n++) {
      sorted[n] = items[order[n]];
      weights[n] = Math.max(0f, values[order[n]]);
    }
    UserQuery query = profile(sorted, weights);
    return query != null ? query : new UserQuery(sorted, weights, null, 0);
  }

  /** Records the new events in time order with the recency weighting; replay and stability do not apply. */
  @Override
  public void partialFit(Update update) {
    InteractionLog events = update.events();
    history.ensureUsers(update.users());
    UserSequences sequences = UserSequences.of(events);
    for (int u = 0; u < sequences.users(); u++) {
      for (int n = 0; n < sequences.length(u); n++) {
        history.addDecayed(u, events.item(sequences.event(u, n)), 1f, config.recencyDecay());
      }
    }
    growPopularity(events, update.items());
    userCount = Math.max(userCount, update.users());
    itemCount = Math.max(itemCount, update.items());
    features = features.grownTo(itemCount);
  }

  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    recordEvent(user, item, 1f, config.recencyDecay());
    userCount = Math.max(userCount, user + 1);
    itemCount = Math.max(itemCount, item + 1);
    features = features.grownTo(itemCount);
  }

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    s.put("popularity", Arrays.copyOf(popularity, itemCount)).put("shape", new int[] {userCount, itemCount});
    features.saveTo(s, "features");
    history.saveTo(s, "history");
    return s;
  }

  public static ContentModel restore(ModelState s) {
    ContentConfig config = new ObjectMapper().convertValue(s.config(), ContentConfig.class);
    int[] shape = s.ints("shape");
    return new ContentModel(config, ItemFeatures.loadFrom(s, "features"), UserHistory.loadFrom(s, "history"),
        s.floats("popularity"), shape[0], shape[1]);
  }
}
