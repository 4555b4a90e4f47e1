package io.perennial.model.fusion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.InteractionLog;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Algorithms;
import io.perennial.model.ModelState;
import io.perennial.model.OnlineLearner;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.SequenceAware;
import io.perennial.model.Update;
import io.perennial.model.UserQuery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Several trained models ranked as one. For a user, each member scores every item; the candidates
 * are the union of the members' top {@code candidates} unseen items; each member's scores are
 * calibrated over the candidates (z-score, rank-normalised, or reciprocal rank) and summed with the
 * member weights. Items outside the candidates rank below them, ordered by their weighted z-score.
 *
 * <p>Updates, online events, sequence context, evictions and retirements go to every member, so a
 * fusion follows a stream like any model; its histories and popularity fallback are its first
 * member's. The checkpoint embeds every member's state.
 */
public final class FusionModel extends AbstractRecommender implements OnlineLearner, SequenceAware {

  public static final String TYPE = "fusion";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FusionConfig config;
  private final List<Recommender> members;
  private final float[] weights;
  private double validationNdcg = Double.NaN;
  private double equalWeightsNdcg = Double.NaN;

  FusionModel(FusionConfig config, List<Recommender> members, float[] weights) {
    super(first(members).history(), first(members).popularity(), first(members).userCount(),
        first(members).itemCount());
    if (weights.length != members.size()) {
      throw new IllegalArgumentException(weights.length + " weights for " + members.size() + " members");
    }
    this.config = config;
    this.members = List.copyOf(members);
    this.weights = weights.clone();
    refresh();
  }

  private static AbstractRecommender first(List<Recommender> members) {
    for (Recommender m : members) {
      if (!(m instanceof AbstractRecommender)) {
        throw new IllegalArgumentException("fusion: member '" + m.type() + "' keeps no user histories");
      }
    }
    return (AbstractRecommender) members.get(0);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The fused models, in the config's order. */
  public List<Recommender> members() {
    return members;
  }

  /** The weight of each member (summing to 1 when fitted), in the members' order. */
  public float[] weights() {
    return weights.clone();
  }

  public FusionConfig config() {
    return config;
  }

  /** Validation NDCG@fitK the fitted weights reached ({@code stacked}; NaN otherwise). */
  public double validationNdcg() {
    return validationNdcg;
  }

  /** Validation NDCG@fitK of equal weights on the same split ({@code stacked}; NaN otherwise). */
  public double equalWeightsNdcg() {
    return equalWeightsNdcg;
  }

  FusionModel withValidation(double fitted, double equal) {
    validationNdcg = fitted;
    equalWeightsNdcg = equal;
    return this;
  }

  private boolean known(int user) {
    return user >= 0 && user < userCount && history.items(user).length > 0;
  }

  @Override
  protected UserQuery queryFor(int user) {
    return known(user) ? new UserQuery(history.items(user), history.values(user), null, 0) : null;
  }

  /** Fused scores of a stored user; used by the overrides below, which know the user index. */
  @Override
  protected void scoreAll(UserQuery user, float[] out) {
    fuseInto(memberScores(user), sortedCopy(user.items()), out);
  }

  @Override
  public Recommendations recommend(int user, int k, boolean excludeSeen, IntPredicate filter) {
    if (!known(user)) {
      return super.recommend(user, k, excludeSeen, filter);
    }
    float[] fused = new float[itemCount];
    fuseInto(memberScores(user), history.items(user), fused);
    return select(fused, excludeSeen ? history.items(user) : new int[0], k, filter, false);
  }

  @Override
  public void scoreItems(int user, float[] out) {
    if (!known(user)) {
      super.scoreItems(user, out);
      return;
    }
    float[] fused = new float[itemCount];
    fuseInto(memberScores(user), history.items(user), fused);
    System.arraycopy(fused, 0, out, 0, itemCount);
  }

  @Override
  public float score(int user, int item) {
    if (item < 0 || item >= itemCount) {
      return Float.NaN;
    }
    if (!known(user)) {
      return popularity[item];
    }
    float[] fused = new float[itemCount];
    fuseInto(memberScores(user), history.items(user), fused);
    return fused[item];
  }

  /** A query holding the items as given (sequential members read their order); each member folds them in when asked. */
  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    return new UserQuery(items.clone(), values.clone(), null, 0);
  }

  @Override
  public Recommendations recommend(UserQuery user, int k, IntPredicate filter) {
    int[] seen = sortedCopy(user.items());
    if (user.items().length == 0) {
      return select(popularity, seen, k, filter, true);
    }
    float[] fused = new float[itemCount];
    fuseInto(memberScores(user), seen, fused);
    return select(fused, seen, k, filter, false);
  }

  private float[][] memberScores(int user) {
    float[][] scores = new float[members.size()][];
    for (int m = 0; m < members.size(); m++) {
      scores[m] = new float[Math.max(itemCount, members.get(m).itemCount())];
      members.get(m).scoreItems(user, scores[m]);
    }
    return scores;
  }

  /** Each member folds the query's items in and scores every item it does not exclude (the rest −∞). */
  private float[][] memberScores(UserQuery query) {
    float[][] scores = new float[members.size()][];
    for (int m = 0; m < members.size(); m++) {
      Recommender member = members.get(m);
      UserQuery folded = member.foldInUser(query.items(), query.values());
      Recommendations all = member.recommend(folded, member.itemCount(), null);
      scores[m] = new float[Math.max(itemCount, member.itemCount())];
      Arrays.fill(scores[m], Float.NEGATIVE_INFINITY);
      for (int r = 0; r < all.size(); r++) {
        scores[m][all.ids()[r]] = all.scores()[r];
      }
    }
    return scores;
  }

  private void fuseInto(float[][] scores, int[] seen, float[] out) {
    Calibrated c = Calibrated.of(scores, itemCount, seen, config.candidates(), config.effectiveCalibration(),
        config.rrfK());
    c.fuse(weights, scores, out, itemCount);
  }

  /** The candidates and calibrated member scores of a stored user (for fitting the weights). */
  Calibrated calibrated(int user) {
    return Calibrated.of(memberScores(user), itemCount, history.items(user), config.candidates(),
        config.effectiveCalibration(), config.rrfK());
  }

  private static int[] sortedCopy(int[] items) {
    int[] s = items.clone();
    Arrays.sort(s);
    return s;
  }

  /** Weighted reciprocal-rank fusion of the members' similar-item lists. */
  @Override
  public Recommendations similarItems(int item, int k) {
    float[] fused = new float[itemCount];
    boolean[] listed = new boolean[itemCount];
    int depth = Math.max(k, config.candidates() == 0 ? itemCount : config.candidates());
    for (int m = 0; m < members.size(); m++) {
      Recommendations list = members.get(m).similarItems(item, depth);
      for (int r = 0; r < list.size(); r++) {
        int id = list.ids()[r];
        if (id >= 0 && id < itemCount) {
          fused[id] += weights[m] / (config.rrfK() + r + 1);
          listed[id] = true;
        }
      }
    }
    for (int i = 0; i < itemCount; i++) {
      if (!listed[i]) {
        fused[i] = Float.NaN;
      }
    }
    return select(fused, item >= 0 && item < itemCount ? new int[] {item} : new int[0], k, null, false);
  }

  @Override
  public void partialFit(Update update) {
    for (int m = 0; m < members.size(); m++) {
      Recommender teacher = update.teacher() instanceof FusionModel earlier && earlier.members.size() == members.size()
          ? earlier.members.get(m) : update.teacher() instanceof FusionModel ? null : update.teacher();
      members.get(m).partialFit(new Update(update.events(), update.replay(), update.users(), update.items(),
          update.stability(), teacher));
    }
    refresh();
  }

  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    for (Recommender member : members) {
      if (!(member instanceof OnlineLearner online)) {
        throw new IllegalArgumentException("fusion: member '" + member.type() + "' does not learn online");
      }
      online.learnOnline(user, item, value, timestamp);
    }
    refresh();
  }

  /** Sequential members take the events as context; the others are not given them, as outside a fusion. */
  @Override
  public void observe(InteractionLog events) {
    for (Recommender member : members) {
      if (member instanceof SequenceAware sequential) {
        sequential.observe(events);
      }
    }
    refresh();
  }

  @Override
  public void evictUser(int user) {
    for (Recommender member : members) {
      ((AbstractRecommender) member).evictUser(user);
    }
    refresh();
  }

  @Override
  public void retireItem(int item) {
    super.retireItem(item);
    for (Recommender member : members) {
      ((AbstractRecommender) member).retireItem(item);
    }
    refresh();
  }

  @Override
  public void reviveItem(int item) {
    super.reviveItem(item);
    for (Recommender member : members) {
      ((AbstractRecommender) member).reviveItem(item);
    }
  }

  private void refresh() {
    AbstractRecommender lead = (AbstractRecommender) members.get(0);
    history = lead.history();
    popularity = lead.popularity();
    int users = 0;
    int items = 0;
    for (Recommender member : members) {
      users = Math.max(users, member.userCount());
      items = Math.max(items, member.itemCount());
    }
    userCount = users;
    itemCount = items;
    if (popularity.length < itemCount) {
      popularity = Arrays.copyOf(popularity, itemCount);
    }
  }

  @Override
  public ModelState state() {
    ObjectNode json = JSON.createObjectNode();
    json.set("fusion", JSON.valueToTree(config));
    ArrayNode w = json.putArray("weights");
    for (float x : weights) {
      w.add(x);
    }
    if (!Double.isNaN(validationNdcg)) {
      json.put("validationNdcg", validationNdcg).put("equalWeightsNdcg", equalWeightsNdcg);
    }
    ArrayNode described = json.putArray("members");
    List<ModelState> states = new ArrayList<>();
    for (Recommender member : members) {
      ModelState s = member.state();
      states.add(s);
      described.addObject().put("type", s.type()).set("config", s.config());
    }
    ModelState out = new ModelState(TYPE, json);
    out.put("weights", weights.clone());
    for (int m = 0; m < states.size(); m++) {
      String prefix = "m" + m + "/";
      for (Map.Entry<String, float[]> e : states.get(m).floats().entrySet()) {
        out.put(prefix + e.getKey(), e.getValue());
      }
      for (Map.Entry<String, int[]> e : states.get(m).ints().entrySet()) {
        out.put(prefix + e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** Rebuilds a fusion and its embedded members from a checkpoint's state. */
  public static FusionModel restore(ModelState s) {
    FusionConfig config = JSON.convertValue(s.config().path("fusion"), FusionConfig.class);
    var described = s.config().path("members");
    List<Recommender> members = new ArrayList<>();
    for (int m = 0; m < described.size(); m++) {
      ModelState memberState = new ModelState(described.get(m).path("type").asText(), described.get(m).path("config"));
      String prefix = "m" + m + "/";
      s.floats().forEach((name, v) -> {
        if (name.startsWith(prefix)) {
          memberState.put(name.substring(prefix.length()), v);
        }
      });
      s.ints().forEach((name, v) -> {
        if (name.startsWith(prefix)) {
          memberState.put(name.substring(prefix.length()), v);
        }
      });
      members.add(Algorithms.restore(memberState));
    }
    return new FusionModel(config, members, s.floats("weights")).withValidation(
        s.config().path("validationNdcg").asDouble(Double.NaN), s.config().path("equalWeightsNdcg").asDouble(Double.NaN));
  }
}
