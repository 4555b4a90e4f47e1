package io.perennial.model.popularity;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionLog;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.ModelState;
import io.perennial.model.Recommendations;
import io.perennial.model.UserHistory;
import io.perennial.model.Update;
import io.perennial.model.UserQuery;
import java.util.Arrays;

/** Ranks items by (optionally time-decayed) interaction counts, the same list for every user. */
public final class PopularityModel extends AbstractRecommender implements io.perennial.model.OnlineLearner {

  public static final String TYPE = "pop";
  private final PopularityConfig config;
  private float[] scores;
  private long newestTimestamp;

  PopularityModel(PopularityConfig config, UserHistory history, float[] counts, float[] scores,
      int users, int items, long newestTimestamp) {
    super(history, counts, users, items);
    this.config = config;
    this.scores = scores;
    this.newestTimestamp = newestTimestamp;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public float score(int user, int item) {
    return item >= 0 && item < itemCount ? scores[item] : Float.NaN;
  }

  @Override
  protected UserQuery queryFor(int user) {
    return new UserQuery(history.items(user), history.values(user), null, 0);
  }

  @Override
  protected void scoreAll(UserQuery user, float[] out) {
    System.arraycopy(scores, 0, out, 0, itemCount);
  }

  @Override
  public Recommendations similarItems(int item, int k) {
    return select(scores, new int[] {item}, k, null, true);
  }

  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    int[] sorted = items.clone();
    Arrays.sort(sorted);
    return new UserQuery(sorted, values.clone(), null, 0);
  }

  /** Counts the new events (ageing every score first when a half-life is set); replay and stability do not apply. */
  @Override
  public void partialFit(Update update) {
    InteractionLog events = update.events();
    int users = update.users();
    int items = update.items();
    growHistory(events, users);
    growPopularity(events, items);
    if (scores.length < items) {
      scores = Arrays.copyOf(scores, items);
    }
    userCount = Math.max(userCount, users);
    itemCount = Math.max(itemCount, items);
    long newest = Math.max(newestTimestamp, events.size() == 0 ? newestTimestamp : events.maxTimestamp());
    if (config.halfLifeDays() > 0 && newest > newestTimestamp) {
      // Age every existing score to the new reference time: w(t) = 2^{-(newest - t)/halfLife}.
      float factor = (float) Math.pow(2, -(newest - newestTimestamp) / (config.halfLifeDays() * 86400));
      for (int i = 0; i < scores.length; i++) {
        scores[i] *= factor;
      }
    }
    newestTimestamp = newest;
    for (int e = 0; e < events.size(); e++) {
      scores[events.item(e)] += weight(config, newestTimestamp, events.timestamp(e));
    }
  }

  /** Counts the event now (ageing every score first when a half-life is set). */
  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    InteractionLog one = new InteractionLog(1);
    one.add(user, item, value, timestamp, io.perennial.data.InteractionType.VIEW);
    partialFit(Update.of(one, Math.max(userCount, user + 1), Math.max(itemCount, item + 1)));
  }

  static float weight(PopularityConfig config, long newest, long timestamp) {
    if (config.halfLifeDays() == 0) {
      return 1f;
    }
    return (float) Math.pow(2, -(newest - timestamp) / (config.halfLifeDays() * 86400));
  }

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    s.put("popularity", popularity).put("scores", scores)
        .put("shape", new int[] {userCount, itemCount})
        .putLong("newest", newestTimestamp);
    history.saveTo(s, "history");
    return s;
  }

  public static PopularityModel restore(ModelState s) {
    PopularityConfig config = new ObjectMapper().convertValue(s.config(), PopularityConfig.class);
    int[] shape = s.ints("shape");
    long ts = s.getLong("newest");
    return new PopularityModel(config, UserHistory.loadFrom(s, "history"), s.floats("popularity"),
        s.floats("scores"), shape[0], shape[1], ts);
  }
}
