package io.perennial.model.bpr;

import io.perennial.model.UserHistory;
import java.util.SplittableRandom;

/**
 * One partition's share of a BPR epoch trained by partitions elsewhere (a Spark executor): the
 * partition owns a disjoint set of users with all their positives, and works on a private copy of
 * the item table. It makes the single-node trainer's updates ({@link BprTrainer}'s sampled epoch:
 * the same negatives, the same step) on its users' rows and its copy of the items; the caller
 * combines the item copies of all partitions and keeps the users' rows as they come back.
 *
 * <p>Users are numbered locally ({@code 0 … users − 1}); items keep their global ids.
 */
public final class BprShard {

  private final BprModel model;
  private final long[] positives;
  private final LikedPairs liked;
  private final AliasSampler popularityNegatives;

  /**
   * @param config the model's config (its {@code dp} must be null: DP-SGD needs one Poisson-sampled
   *     batch over all the data, which partitions do not have)
   * @param userItems each local user's distinct positive items, sorted ascending
   * @param userFactors the local users' rows ({@code users × factors}); updated in place
   * @param itemFactors a private copy of the whole item table; updated in place
   * @param itemBias a private copy of the item biases; updated in place
   * @param popularity every item's interaction count over all partitions (the popularity-weighted
   *     negatives draw by it; read only)
   */
  public BprShard(BprConfig config, int[][] userItems, float[] userFactors, float[] itemFactors, float[] itemBias,
      float[] popularity) {
    if (config.dp() != null) {
      throw new IllegalArgumentException("DP-SGD training is single-node only (it samples one batch from all the data)");
    }
    if (config.optimizer() != io.perennial.optim.OptimizerKind.SGD) {
      // an adaptive optimiser's per-row state would have to travel with the rows between rounds
      throw new IllegalArgumentException("training by partitions uses plain SGD; optimizer " + config.optimizer()
          + " is single-node only");
    }
    int users = userItems.length;
    int items = itemBias.length;
    int k = config.factors();
    if (userFactors.length != users * k || itemFactors.length != items * k || popularity.length != items) {
      throw new IllegalArgumentException("shard tables do not match " + users + " users, " + items + " items × " + k);
    }
    UserHistory history = new UserHistory(users);
    int nnz = 0;
    for (int[] row : userItems) {
      nnz += row.length;
    }
    positives = new long[nnz];
    int p = 0;
    for (int u = 0; u < users; u++) {
      for (int i : userItems[u]) {
        history.add(u, i, 1f);
        positives[p++] = ((long) u << 32) | (i & 0xFFFFFFFFL);
      }
    }
    model = new BprModel(config, history, popularity, users, items, userFactors, itemFactors, itemBias);
    liked = LikedPairs.of(history);
    popularityNegatives = config.negativeSampling() == NegativeSampling.POPULARITY && items > 0
        ? BprTrainer.popularitySampler(popularity, config.popularityExponent()) : null;
  }

  /** The partition's positives (distinct user–item pairs). */
  public int positives() {
    return positives.length;
  }

  /**
   * {@code samples} updates at rate {@code lr}, one thread, drawn from {@code seed}; history
   * dropout as configured.
   *
   * @return the sampled mean of {@code −ln σ(x_uij)}, NaN when too few updates were made to sample it
   */
  public double train(long samples, float lr, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    java.util.BitSet dropped = BprTrainer.dropout(positives.length, model.config().historyDropout(), random);
    return BprTrainer.sampledEpoch(model, positives, samples, lr, popularityNegatives, random, null, null, liked,
        dropped);
  }
}
