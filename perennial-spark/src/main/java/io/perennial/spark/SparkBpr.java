package io.perennial.spark;

import io.perennial.model.EpochReport;
import io.perennial.model.FactorModel;
import io.perennial.model.TrainingListener;
import io.perennial.model.bpr.BprConfig;
import io.perennial.model.bpr.BprShard;
import io.perennial.optim.LearningRateSchedule;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

/**
 * BPR trained by partitions on Spark: our own sampled SGD, distributed as delayed Hogwild.
 *
 * <p>Users are split into cached blocks, each block holding all of its users' positives. An epoch
 * is {@code syncsPerEpoch} rounds; each round broadcasts the item table, the biases and the user
 * table, every partition makes its share of the epoch's updates ({@link BprShard}: the single-node
 * trainer's step and negatives) on its own users' rows and a private copy of the items, and sends
 * back its users' rows and the change it made to each item row it touched. The driver keeps the
 * users' rows (each user lives in one partition, so they never conflict) and adds every partition's
 * item changes to the table, in partition order so that a seed gives the same model on any
 * cluster. Adding the changes is what Hogwild does on one machine, with the other partitions'
 * writes seen one round late instead of at once; more rounds per epoch mean fresher items and more
 * broadcasts.
 */
public final class SparkBpr {

  /** Rounds per epoch when the caller does not say: fresh enough on a few partitions, cheap to broadcast. */
  public static final int DEFAULT_SYNCS_PER_EPOCH = 4;

  private SparkBpr() {}

  /**
   * Trains on {@code prepared}; every event is a positive (repeats count once, as in the
   * single-node trainer).
   *
   * @return {user factors, item factors, item biases} in the prepared events' dense indices
   */
  public static float[][] train(SparkEvents.Prepared prepared, BprConfig config, int partitions, int syncsPerEpoch,
      TrainingListener listener) {
    if (syncsPerEpoch < 1) {
      throw new UserInputException("--syncs-per-epoch must be at least 1, got " + syncsPerEpoch);
    }
    int k = config.factors();
    int users = prepared.users().size();
    int items = prepared.items().size();
    org.apache.spark.sql.Dataset<Row> events = prepared.events();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(events.sparkSession().sparkContext());
    JavaRDD<SparkIals.Block> blocks = SparkIals.blocks(events, "u", "i", partitions);
    float[] popularity = itemCounts(events, items);
    // the single-node trainer's initialisation: one generator, users first, biases zero
    SplittableRandom random = new SplittableRandom(config.seed());
    float[] userFactors = FactorModel.randomTable(users, k, random, config.initScale());
    float[] itemFactors = FactorModel.randomTable(items, k, random, config.initScale());
    float[] itemBias = new float[items];
    Broadcast<float[]> popularityShared = jsc.broadcast(popularity);
    String configJson = SparkIals.toJson(config);
    LearningRateSchedule schedule = config.schedule();
    long started = System.nanoTime();
    long updates = 0;
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      float lr = schedule.rate(config.learningRate(), epoch);
      double lossSum = 0;
      int lossCount = 0;
      for (int round = 0; round < syncsPerEpoch; round++) {
        long roundSeed = random.nextLong();
        List<ShardResult> results = round(jsc, blocks, configJson, userFactors, itemFactors, itemBias,
            popularityShared, lr, roundSeed, syncsPerEpoch, config.samplesPerEpoch());
        for (ShardResult r : results) {
          r.applyTo(userFactors, itemFactors, itemBias, k);
          updates += r.samples;
          if (!Double.isNaN(r.loss)) {
            lossSum += r.loss;
            lossCount++;
          }
        }
      }
      double elapsed = (System.nanoTime() - started) / 1e9;
      listener.onEpoch("bpr", new EpochReport(epoch + 1, config.epochs(), lossCount == 0 ? Double.NaN : lossSum / lossCount,
          updates / Math.max(1e-9, elapsed), elapsed, Double.NaN));
    }
    popularityShared.destroy();
    blocks.unpersist();
    return new float[][] {userFactors, itemFactors, itemBias};
  }

  private static List<ShardResult> round(JavaSparkContext jsc, JavaRDD<SparkIals.Block> blocks, String configJson,
      float[] userFactors, float[] itemFactors, float[] itemBias, Broadcast<float[]> popularity, float lr,
      long roundSeed, int syncsPerEpoch, float samplesPerEpoch) {
    Broadcast<float[]> usersShared = jsc.broadcast(userFactors);
    Broadcast<float[]> itemsShared = jsc.broadcast(itemFactors);
    Broadcast<float[]> biasShared = jsc.broadcast(itemBias);
    List<ShardResult> results = new ArrayList<>(blocks.mapPartitionsWithIndex((partition, it) -> {
      BprConfig config = SparkIals.fromJson(configJson, BprConfig.class);
      List<ShardResult> out = new ArrayList<>();
      while (it.hasNext()) {
        out.add(ShardResult.train(it.next(), partition, config, usersShared.value(), itemsShared.value(),
            biasShared.value(), popularity.value(), lr, roundSeed, syncsPerEpoch, samplesPerEpoch));
      }
      return out.iterator();
    }, true).collect());
    // task completion order varies; partition order does not
    results.sort(Comparator.comparingInt((ShardResult r) -> r.partition));
    usersShared.destroy();
    itemsShared.destroy();
    biasShared.destroy();
    return results;
  }

  /** Interactions per item over all events (the popularity-weighted negatives draw by it). */
  private static float[] itemCounts(org.apache.spark.sql.Dataset<Row> events, int items) {
    float[] counts = new float[items];
    Iterator<Row> rows = events.groupBy("i").count().toLocalIterator();
    while (rows.hasNext()) {
      Row r = rows.next();
      counts[r.getInt(0)] = r.getLong(1);
    }
    return counts;
  }

  /** One partition's round: its users' new rows and the sparse change to the items it touched. */
  static final class ShardResult implements Serializable {
    final int partition;
    final int[] users;
    final float[] userRows;
    final int[] touchedItems;
    final float[] itemDeltas;
    final float[] biasDeltas;
    final long samples;
    final double loss;

    private ShardResult(int partition, int[] users, float[] userRows, int[] touchedItems, float[] itemDeltas,
        float[] biasDeltas, long samples, double loss) {
      this.partition = partition;
      this.users = users;
      this.userRows = userRows;
      this.touchedItems = touchedItems;
      this.itemDeltas = itemDeltas;
      this.biasDeltas = biasDeltas;
      this.samples = samples;
      this.loss = loss;
    }

    static ShardResult train(SparkIals.Block block, int partition, BprConfig config, float[] allUsers, float[] items,
        float[] bias, float[] popularity, float lr, long roundSeed, int syncsPerEpoch, float samplesPerEpoch) {
      int k = config.factors();
      int n = block.rows.length;
      float[] userRows = new float[n * k];
      for (int u = 0; u < n; u++) {
        System.arraycopy(allUsers, block.rows[u] * k, userRows, u * k, k);
      }
      float[] itemCopy = items.clone();
      float[] biasCopy = bias.clone();
      BprShard shard = new BprShard(config, block.cols, userRows, itemCopy, biasCopy, popularity);
      long samples = (long) Math.ceil(samplesPerEpoch * shard.positives() / (double) syncsPerEpoch);
      // one stream per (round, partition): the same seed trains the same model on any cluster
      long seed = new SplittableRandom(roundSeed ^ (0x9E3779B97F4A7C15L * (partition + 1))).nextLong();
      double loss = shard.positives() == 0 ? Double.NaN : shard.train(samples, lr, seed);
      int itemCount = bias.length;
      int touched = 0;
      int[] touchedItems = new int[itemCount];
      for (int i = 0; i < itemCount; i++) {
        if (biasCopy[i] != bias[i] || !Arrays.equals(itemCopy, i * k, i * k + k, items, i * k, i * k + k)) {
          touchedItems[touched++] = i;
        }
      }
      float[] itemDeltas = new float[touched * k];
      float[] biasDeltas = new float[touched];
      for (int t = 0; t < touched; t++) {
        int i = touchedItems[t];
        for (int d = 0; d < k; d++) {
          itemDeltas[t * k + d] = itemCopy[i * k + d] - items[i * k + d];
        }
        biasDeltas[t] = biasCopy[i] - bias[i];
      }
      return new ShardResult(partition, block.rows, userRows, Arrays.copyOf(touchedItems, touched), itemDeltas,
          biasDeltas, samples, loss);
    }

    void applyTo(float[] userFactors, float[] itemFactors, float[] itemBias, int k) {
      for (int u = 0; u < users.length; u++) {
        System.arraycopy(userRows, u * k, userFactors, users[u] * k, k);
      }
      for (int t = 0; t < touchedItems.length; t++) {
        int i = touchedItems[t];
        for (int d = 0; d < k; d++) {
          itemFactors[i * k + d] += itemDeltas[t * k + d];
        }
        itemBias[i] += biasDeltas[t];
      }
    }
  }
}
