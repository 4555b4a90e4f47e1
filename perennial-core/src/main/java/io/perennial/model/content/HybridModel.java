package io.perennial.model.content;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Algorithms;
import io.perennial.model.ModelState;
import io.perennial.model.OnlineLearner;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.Update;
import io.perennial.model.UserQuery;
import io.perennial.model.VectorRetrieval;
import java.util.Map;

/**
 * Collaborative scores for warm items and mapped content for cold ones, in one ranking: item i's
 * vector is {@code v_i = (n_i · learned_i + s · mapped_i) / (n_i + s)} (its bias likewise), with
 * {@code n_i} its events, {@code s = blendEvents} and {@code mapped_i = [x_i, 1] W} the ridge map of
 * its content; {@code score(u, i) = q_u · v_i + b_i} with {@code q_u} the base model's user vector.
 * A cold item is recommendable at once, and moves toward its learned vector as its events arrive.
 *
 * <p>Calibration: the map is a regression onto the learned vectors, so a mapped vector is the
 * expected learned vector given the content, and its score is the expected collaborative score;
 * neither part needs rescaling to compete with the other. The blended vectors are the model's
 * {@link VectorRetrieval} vectors, so cold items join an ANN index like warm ones.
 */
public final class HybridModel extends AbstractRecommender implements VectorRetrieval, OnlineLearner {

  public static final String TYPE = "hybrid";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HybridConfig config;
  private final Recommender base;
  private final ContentMapping mapping;
  private ItemFeatures features;
  private final int dims;
  private final boolean hasBias;
  /** Blended vectors, {@code items × dims}, and biases. */
  private float[] vectors;
  private float[] bias;

  HybridModel(HybridConfig config, Recommender base, ItemFeatures features, ContentMapping mapping) {
    super(((AbstractRecommender) base).history(), ((AbstractRecommender) base).popularity(), base.userCount(),
        base.itemCount());
    this.config = config;
    this.base = base;
    this.mapping = mapping;
    VectorRetrieval retrieval = (VectorRetrieval) base;
    this.dims = retrieval.retrievalDims();
    this.hasBias = retrieval.retrievalItemBias() != null;
    this.features = features.grownTo(itemCount);
    reblend();
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The collaborative model underneath. */
  public Recommender base() {
    return base;
  }

  /** Columns the map predicts: the item vector, then its bias when the base model has one. */
  static int targetColumns(VectorRetrieval model) {
    return model.retrievalDims() + (model.retrievalItemBias() != null ? 1 : 0);
  }

  /** The base model's item vectors (and biases) as regression targets, {@code items × targetColumns}. */
  static float[] targets(VectorRetrieval model, int items) {
    int d = model.retrievalDims();
    int columns = targetColumns(model);
    float[] v = model.retrievalItemVectors();
    float[] b = model.retrievalItemBias();
    float[] out = new float[items * columns];
    for (int i = 0; i < items; i++) {
      System.arraycopy(v, i * d, out, i * columns, d);
      if (b != null) {
        out[i * columns + d] = b[i];
      }
    }
    return out;
  }

  /** Recomputes every item's blended vector from the base model's current rows and event counts. */
  private void reblend() {
    VectorRetrieval retrieval = (VectorRetrieval) base;
    float[] learned = retrieval.retrievalItemVectors();
    float[] learnedBias = retrieval.retrievalItemBias();
    int columns = mapping.outputs();
    float[] mapped = new float[columns];
    vectors = new float[itemCount * dims];
    bias = new float[itemCount];
    for (int i = 0; i < itemCount; i++) {
      blendInto(i, learned, learnedBias, mapped);
    }
  }

  private void blendInto(int item, float[] learned, float[] learnedBias, float[] mapped) {
    mapping.map(features, item, mapped, 0);
    float n = item < popularity.length ? popularity[item] : 0;
    float learnedWeight = n + config.blendEvents() == 0 ? 1f : n / (n + config.blendEvents());
    float mappedWeight = 1f - learnedWeight;
    for (int c = 0; c < dims; c++) {
      vectors[item * dims + c] = learnedWeight * learned[item * dims + c] + mappedWeight * mapped[c];
    }
    bias[item] = hasBias ? learnedWeight * learnedBias[item] + mappedWeight * mapped[dims] : 0f;
  }

  /** Weight of the learned vector of {@code item} (0 for a cold item, toward 1 as events arrive). */
  public float learnedWeight(int item) {
    float n = item < popularity.length ? popularity[item] : 0;
    return n + config.blendEvents() == 0 ? 1f : n / (n + config.blendEvents());
  }

  @Override
  public float score(int user, int item) {
    if (item < 0 || item >= itemCount) {
      return Float.NaN;
    }
    UserQuery query = user >= 0 && user < userCount ? queryFor(user) : null;
    return query == null ? popularity[item] : itemScore(query.vector(), item);
  }

  private float itemScore(float[] q, int item) {
    float s = bias[item];
    for (int c = 0; c < dims; c++) {
      s += q[c] * vectors[item * dims + c];
    }
    return s;
  }

  @Override
  protected UserQuery queryFor(int user) {
    float[] q = new float[dims];
    if (!((VectorRetrieval) base).retrievalQuery(user, q) || history.items(user).length == 0) {
      return null;
    }
    return new UserQuery(history.items(user), history.values(user), q, 0);
  }

  @Override
  protected boolean needsVector() {
    return true;
  }

  @Override
  protected void scoreAll(UserQuery user, float[] out) {
    if (user.vector() == null) {
      System.arraycopy(popularity, 0, out, 0, itemCount);
      return;
    }
    for (int i = 0; i < itemCount; i++) {
      out[i] = itemScore(user.vector(), i);
    }
  }

  @Override
  public Recommendations similarItems(int item, int k) {
    float[] scores = new float[itemCount];
    if (item >= 0 && item < itemCount) {
      double norm = norm(item);
      for (int j = 0; j < itemCount; j++) {
        double dot = 0;
        for (int c = 0; c < dims; c++) {
          dot += vectors[item * dims + c] * vectors[j * dims + c];
        }
        double denominator = norm * norm(j);
        scores[j] = denominator > 0 ? (float) (dot / denominator) : 0f;
      }
    }
    return select(scores, new int[] {item}, k, null, false);
  }

  private double norm(int item) {
    double s = 0;
    for (int c = 0; c < dims; c++) {
      s += vectors[item * dims + c] * vectors[item * dims + c];
    }
    return Math.sqrt(s);
  }

  /** The base model's fold-in (its user vector), scored against the blended items. */
  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    UserQuery folded = base.foldInUser(items, values);
    float[] q = folded.vector() != null && folded.vector().length >= dims ? folded.vector() : null;
    return new UserQuery(folded.items(), folded.values(), q, 0);
  }

  /** Updates the base model, then re-blends: items that gained events move toward their learned vectors. */
  @Override
  public void partialFit(Update update) {
    base.partialFit(update);
    refresh();
  }

  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    if (!(base instanceof OnlineLearner online)) {
      throw new IllegalArgumentException("hybrid: base model '" + config.base() + "' does not learn online");
    }
    int itemsBefore = itemCount;
    online.learnOnline(user, item, value, timestamp);
    if (base.itemCount() != itemsBefore) {
      refresh();
      return;
    }
    // One event re-solves (or steps) only this item's row and adds to its count: re-blend just it.
    AbstractRecommender b = (AbstractRecommender) base;
    history = b.history();
    popularity = b.popularity();
    userCount = base.userCount();
    VectorRetrieval retrieval = (VectorRetrieval) base;
    blendInto(item, retrieval.retrievalItemVectors(), retrieval.retrievalItemBias(), new float[mapping.outputs()]);
  }

  private void refresh() {
    AbstractRecommender b = (AbstractRecommender) base;
    history = b.history();
    popularity = b.popularity();
    userCount = base.userCount();
    itemCount = base.itemCount();
    features = features.grownTo(itemCount);
    reblend();
  }

  @Override
  public int retrievalDims() {
    return dims;
  }

  @Override
  public float[] retrievalItemVectors() {
    return vectors;
  }

  @Override
  public float[] retrievalItemBias() {
    return bias;
  }

  @Override
  public boolean retrievalQuery(int user, float[] out) {
    UserQuery query = user >= 0 && user < userCount ? queryFor(user) : null;
    if (query == null) {
      return false;
    }
    System.arraycopy(query.vector(), 0, out, 0, dims);
    return true;
  }

  @Override
  public ModelState state() {
    ModelState baseState = base.state();
    ObjectNode json = JSON.createObjectNode();
    json.set("hybrid", JSON.valueToTree(config));
    json.put("baseType", baseState.type());
    json.set("baseConfig", baseState.config());
    ModelState s = new ModelState(TYPE, json);
    for (Map.Entry<String, float[]> e : baseState.floats().entrySet()) {
      s.put("base/" + e.getKey(), e.getValue());
    }
    for (Map.Entry<String, int[]> e : baseState.ints().entrySet()) {
      s.put("base/" + e.getKey(), e.getValue());
    }
    features.saveTo(s, "features");
    mapping.saveTo(s, "mapping");
    return s;
  }

  public static HybridModel restore(ModelState s) {
    HybridConfig config = JSON.convertValue(s.config().path("hybrid"), HybridConfig.class);
    ModelState baseState = new ModelState(s.config().path("baseType").asText(), s.config().path("baseConfig"));
    s.floats().forEach((name, v) -> {
      if (name.startsWith("base/")) {
        baseState.put(name.substring(5), v);
      }
    });
    s.ints().forEach((name, v) -> {
      if (name.startsWith("base/")) {
        baseState.put(name.substring(5), v);
      }
    });
    return new HybridModel(config, Algorithms.restore(baseState), ItemFeatures.loadFrom(s, "features"),
        ContentMapping.loadFrom(s, "mapping"));
  }
}
