package io.perennial.server;

import io.perennial.kernel.VectorOps;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.ModelState;
import io.perennial.model.Recommendations;
import io.perennial.model.Update;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import io.perennial.model.VectorRetrieval;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A fixed embedding model whose score is not what its retrieval searches:
 * {@code score(u, i) = p_u · q_i + b_i + bonus_i}, retrieval {@code p_u · q_i + b_i}. The bonus is
 * invisible to the graph, as NeuMF's MLP tower is to its GMF retrieval, so only re-ranking the
 * candidates with {@link #score} brings high-bonus items up, and only more candidates reach the ones
 * the retrieval ranks low.
 */
final class ProxyRetrievalModel extends AbstractRecommender implements VectorRetrieval {

  private final int dims;
  private final float[] userVectors;
  private final float[] itemVectors;
  private final float[] itemBias;
  private final float[] bonus;
  private final int candidateFactor;
  private final int queryless;

  /**
   * @param bonusScale bonus_i is uniform in {@code [0, bonusScale)}
   * @param candidateFactor {@link #retrievalCandidates} asks for this many times k (1 = "the
   *     retrieval is the score", although it is not)
   * @param queryless every user whose index is a multiple of this has no query vector (0 = none)
   */
  ProxyRetrievalModel(int users, int items, int dims, float bonusScale, int candidateFactor, int queryless, long seed) {
    super(new UserHistory(users), new float[items], users, items);
    this.dims = dims;
    this.candidateFactor = candidateFactor;
    this.queryless = queryless;
    SplittableRandom random = new SplittableRandom(seed);
    // Entries of sd d^(-1/4): the inner product has sd 1 whatever the dimension.
    double scale = 1 / Math.sqrt(Math.sqrt(dims));
    userVectors = gaussian(users * dims, scale, random);
    itemVectors = gaussian(items * dims, scale, random);
    itemBias = gaussian(items, 0.1, random);
    bonus = new float[items];
    for (int i = 0; i < items; i++) {
      bonus[i] = (float) (random.nextDouble() * bonusScale);
    }
    for (int u = 0; u < users; u++) {
      for (int n = 0; n < 5; n++) {
        int item = random.nextInt(items);
        if (!history.contains(u, item)) {
          history.add(u, item, 1f);
          popularity[item] += 1;
        }
      }
    }
  }

  private static float[] gaussian(int n, double scale, SplittableRandom random) {
    float[] t = new float[n];
    for (int p = 0; p < n; p++) {
      t[p] = (float) (random.nextGaussian() * scale);
    }
    return t;
  }

  /** Sets an item's vector and bias in place (a write: the test holds no readers meanwhile). */
  void setItem(int item, float[] vector, float bias) {
    System.arraycopy(vector, 0, itemVectors, item * dims, dims);
    itemBias[item] = bias;
  }

  /** A copy of a user's vector. */
  float[] userVector(int user) {
    return Arrays.copyOfRange(userVectors, user * dims, (user + 1) * dims);
  }

  /** The retrieval score the graph is built for. */
  float retrieval(int user, int item) {
    return VectorOps.dot(userVectors, user * dims, itemVectors, item * dims, dims) + itemBias[item];
  }

  @Override
  public String type() {
    return "proxy-test";
  }

  @Override
  public float score(int user, int item) {
    if (user < 0 || user >= userCount || item < 0 || item >= itemCount) {
      return Float.NaN;
    }
    return retrieval(user, item) + bonus[item];
  }

  @Override
  protected boolean needsVector() {
    return true;
  }

  @Override
  protected UserQuery queryFor(int user) {
    int[] items = history.items(user);
    return items.length == 0 ? null
        : new UserQuery(items, history.values(user), Arrays.copyOfRange(userVectors, user * dims, (user + 1) * dims), 0);
  }

  @Override
  protected void scoreAll(UserQuery user, float[] out) {
    for (int i = 0; i < itemCount; i++) {
      out[i] = VectorOps.dot(user.vector(), 0, itemVectors, i * dims, dims) + itemBias[i] + bonus[i];
    }
  }

  @Override
  public Recommendations similarItems(int item, int k) {
    float[] scores = new float[itemCount];
    for (int i = 0; i < itemCount; i++) {
      scores[i] = VectorOps.dot(itemVectors, item * dims, itemVectors, i * dims, dims);
    }
    return select(scores, new int[] {item}, k, null, false);
  }

  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    float[] mean = new float[dims];
    for (int item : items) {
      for (int d = 0; d < dims; d++) {
        mean[d] += itemVectors[item * dims + d] / items.length;
      }
    }
    int[] sorted = items.clone();
    Arrays.sort(sorted);
    return new UserQuery(sorted, new float[sorted.length], mean, 0);
  }

  /** A fixture: it is served as built, never updated. */
  @Override
  public void partialFit(Update update) {
    throw new UnsupportedOperationException("the proxy test model does not learn");
  }

  @Override
  public ModelState state() {
    throw new UnsupportedOperationException("the proxy test model is not checkpointed");
  }

  @Override
  public int retrievalDims() {
    return dims;
  }

  @Override
  public float[] retrievalItemVectors() {
    return itemVectors;
  }

  @Override
  public float[] retrievalItemBias() {
    return itemBias;
  }

  @Override
  public boolean retrievalQuery(int user, float[] out) {
    if (user < 0 || user >= userCount || (queryless > 0 && user % queryless == 0)) {
      return false;
    }
    System.arraycopy(userVectors, user * dims, out, 0, dims);
    return true;
  }

  @Override
  public int retrievalCandidates(int k) {
    return k * candidateFactor;
  }
}
