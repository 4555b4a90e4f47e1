package io.perennial.model.random;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.ModelState;
import io.perennial.model.OnlineLearner;
import io.perennial.model.Recommendations;
import io.perennial.model.Update;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import java.util.Arrays;

/**
 * Scores each (user, item) pair by a fixed pseudo-random number in [0, 1) drawn from the seed, the
 * user and the item: a reproducible random ranking, the chance level of any protocol. Unknown users
 * get the popularity fallback, as from every model.
 */
public final class RandomModel extends AbstractRecommender implements OnlineLearner {

  public static final String TYPE = "random";
  private final RandomConfig config;

  RandomModel(RandomConfig config, UserHistory history, float[] popularity, int users, int items) {
    super(history, popularity, users, items);
    this.config = config;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public float score(int user, int item) {
    if (item < 0 || item >= itemCount) {
      return Float.NaN;
    }
    return user >= 0 && user < userCount ? uniform(config.seed() ^ (0x9E3779B97F4A7C15L * (user + 1L)), item)
        : popularity[item];
  }

  @Override
  protected UserQuery queryFor(int user) {
    return new UserQuery(history.items(user), history.values(user), null, user);
  }

  @Override
  protected void scoreAll(UserQuery user, float[] out) {
    // A stored user's query carries the user index as its bias; a folded-in one has its items' hash.
    long stream = config.seed() ^ (0x9E3779B97F4A7C15L * ((long) user.bias() + 1L));
    for (int i = 0; i < itemCount; i++) {
      out[i] = uniform(stream, i);
    }
  }

  /** SplitMix64's finaliser over (stream, item), its top 24 bits as a float in [0, 1). */
  private static float uniform(long stream, int item) {
    long z = stream + 0xBF58476D1CE4E5B9L * (item + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (z >>> 40) / (float) (1 << 24);
  }

  @Override
  public Recommendations similarItems(int item, int k) {
    float[] scores = new float[itemCount];
    for (int j = 0; j < itemCount; j++) {
      scores[j] = uniform(config.seed() ^ ~item, j);
    }
    return select(scores, new int[] {item}, k, null, false);
  }

  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    int[] sorted = items.clone();
    Arrays.sort(sorted);
    return new UserQuery(sorted, values.clone(), null, -1 - Math.floorMod(Arrays.hashCode(sorted), 1 << 20));
  }

  @Override
  public void partialFit(Update update) {
    growHistory(update.events(), update.users());
    growPopularity(update.events(), update.items());
    userCount = Math.max(userCount, update.users());
    itemCount = Math.max(itemCount, update.items());
  }

  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    recordEvent(user, item, value);
    userCount = Math.max(userCount, user + 1);
    itemCount = Math.max(itemCount, item + 1);
  }

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    s.put("popularity", Arrays.copyOf(popularity, itemCount)).put("shape", new int[] {userCount, itemCount});
    history.saveTo(s, "history");
    return s;
  }

  public static RandomModel restore(ModelState s) {
    RandomConfig config = new ObjectMapper().convertValue(s.config(), RandomConfig.class);
    int[] shape = s.ints("shape");
    return new RandomModel(config, UserHistory.loadFrom(s, "history"), s.floats("popularity"), shape[0], shape[1]);
  }
}
