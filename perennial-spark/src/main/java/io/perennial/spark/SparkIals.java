package io.perennial.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.row_number;

import io.perennial.model.FactorModel;
import io.perennial.model.TrainingListener;
import io.perennial.model.ials.IalsConfig;
import io.perennial.model.ials.IalsRowSolver;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * iALS trained on Spark, by either of two solvers; both return the user and item factor tables
 * ({@code rows × factors}, row-major, in the prepared events' dense indices).
 *
 * <ul>
 *   <li>{@link Solver#PERENNIAL}: our own iALS distributed by partitions. Users (then items) are
 *       grouped into blocks that stay cached on the executors with their rows of the interaction
 *       matrix; each half-step broadcasts the fixed side's table, its Gram matrix and the solved
 *       side's previous rows, every partition re-solves its rows with the single-node solver
 *       ({@link IalsRowSolver}: the same objective, the same warm-started conjugate gradient), and
 *       the driver gathers the new rows. Same model as {@code train --model ials} up to the order
 *       of ids and floating-point summation.
 *   <li>{@link Solver#MLLIB}: Spark MLlib's ALS with implicit preferences (confidence {@code 1 + α r},
 *       like ours). MLlib scales the L2 penalty by each row's number of interactions (ALS-WR), so
 *       {@code regParam} is not our λ: it defaults to {@link #DEFAULT_MLLIB_REG_PARAM}.
 * </ul>
 */
public final class SparkIals {

  /** Which solver trains the factors. */
  public enum Solver {
    PERENNIAL, MLLIB
  }

  /**
   * MLlib's own default {@code regParam}. Our λ does not translate: MLlib multiplies it by each
   * row's interactions (ALS-WR), and λ / mean interactions per user — the same penalty for the
   * average user — ranked at 0.028 NDCG@10 on the test world where 0.01–0.1 reach 0.096–0.097 (our
   * solver with λ = 35: 0.070).
   */
  public static final double DEFAULT_MLLIB_REG_PARAM = 0.1;

  private SparkIals() {}

  /**
   * Trains on {@code prepared} (whose values are already implicit or explicit as read).
   *
   * @param mllibRegParam MLlib's {@code regParam}, or NaN for {@link #DEFAULT_MLLIB_REG_PARAM}
   * @param listener told after each iteration (the driver's progress line)
   * @return {user factors, item factors}
   */
  public static float[][] train(SparkEvents.Prepared prepared, IalsConfig config, Solver solver, int partitions,
      double mllibRegParam, TrainingListener listener) {
    org.apache.spark.sql.Dataset<Row> events = recencyWeighted(prepared.events(), config.recencyDecay());
    return switch (solver) {
      case MLLIB -> mllib(events, prepared.users().size(), prepared.items().size(), prepared.report().accepted(),
          config, partitions, mllibRegParam, listener);
      case PERENNIAL -> distributed(events, prepared.users().size(), prepared.items().size(),
          prepared.report().accepted(), config, partitions, listener);
    };
  }

  /**
   * The batch recency weighting of {@code IalsTrainer}: with γ &lt; 1 each event's value times
   * γ^(the user's events after it in file order), as one window stage.
   */
  static org.apache.spark.sql.Dataset<Row> recencyWeighted(org.apache.spark.sql.Dataset<Row> events, float decay) {
    if (decay >= 1f) {
      return events;
    }
    var later = row_number().over(Window.partitionBy("u").orderBy(col("seq").desc())).minus(1);
    return events.withColumn("value", col("value").multiply(pow(lit((double) decay), later)).cast("float"));
  }

  private static float[][] mllib(org.apache.spark.sql.Dataset<Row> events, int users, int items, long interactions,
      IalsConfig config, int partitions, double regParam, TrainingListener listener) {
    int k = config.factors();
    double reg = Double.isNaN(regParam) ? DEFAULT_MLLIB_REG_PARAM : regParam;
    ALS als = new ALS().setImplicitPrefs(true).setRank(k).setMaxIter(Math.max(1, config.iterations()))
        .setRegParam(reg).setAlpha(config.alpha()).setSeed(config.seed()).setUserCol("u").setItemCol("i")
        .setRatingCol("value").setNumUserBlocks(partitions).setNumItemBlocks(partitions)
        .setIntermediateStorageLevel("MEMORY_AND_DISK").setFinalStorageLevel("MEMORY_AND_DISK");
    long started = System.nanoTime();
    ALSModel model = als.fit(events);
    float[] userFactors = gather(model.userFactors(), users, k);
    float[] itemFactors = gather(model.itemFactors(), items, k);
    listener.onEpoch("ials (MLlib ALS)", new io.perennial.model.EpochReport(config.iterations(), config.iterations(),
        Double.NaN, Double.NaN, (System.nanoTime() - started) / 1e9, Double.NaN));
    return new float[][] {userFactors, itemFactors};
  }

  private static float[] gather(org.apache.spark.sql.Dataset<Row> factors, int rows, int k) {
    float[] table = new float[rows * k];
    Iterator<Row> it = factors.toLocalIterator();
    while (it.hasNext()) {
      Row r = it.next();
      int id = r.getInt(0);
      List<Float> f = r.getList(1);
      for (int a = 0; a < k; a++) {
        table[id * k + a] = f.get(a);
      }
    }
    return table;
  }

  /** A partition's rows of one side of the interaction matrix. */
  static final class Block implements Serializable {
    final int[] rows;
    final int[][] cols;
    final float[][] values;

    Block(int[] rows, int[][] cols, float[][] values) {
      this.rows = rows;
      this.cols = cols;
      this.values = values;
    }
  }

  /** A partition's solved rows: their indices and their new values, row-major. */
  record Solved(int[] rows, float[] factors) implements Serializable {}

  private static float[][] distributed(org.apache.spark.sql.Dataset<Row> events, int users, int items,
      long interactions, IalsConfig config, int partitions, TrainingListener listener) {
    int k = config.factors();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(events.sparkSession().sparkContext());
    JavaRDD<Block> userBlocks = blocks(events, "u", "i", partitions);
    JavaRDD<Block> itemBlocks = blocks(events, "i", "u", partitions);
    // the single-node trainer's initialisation: one generator, users first
    SplittableRandom random = new SplittableRandom(config.seed());
    float[] userFactors = FactorModel.randomTable(users, k, random, config.initScale());
    float[] itemFactors = FactorModel.randomTable(items, k, random, config.initScale());
    long started = System.nanoTime();
    for (int iteration = 1; iteration <= config.iterations(); iteration++) {
      halfStep(jsc, userBlocks, userFactors, itemFactors, items, config);
      halfStep(jsc, itemBlocks, itemFactors, userFactors, users, config);
      double elapsed = (System.nanoTime() - started) / 1e9;
      listener.onEpoch("ials", new io.perennial.model.EpochReport(iteration, config.iterations(), Double.NaN,
          interactions * iteration / Math.max(1e-9, elapsed), elapsed, Double.NaN));
    }
    userBlocks.unpersist();
    itemBlocks.unpersist();
    return new float[][] {userFactors, itemFactors};
  }

  /** Re-solves every row of {@code target} on the executors against the fixed {@code others}. */
  private static void halfStep(JavaSparkContext jsc, JavaRDD<Block> blocks, float[] target, float[] others,
      int otherRows, IalsConfig config) {
    int k = config.factors();
    Broadcast<float[]> fixed = jsc.broadcast(others);
    Broadcast<float[]> gram = jsc.broadcast(IalsRowSolver.gram(others, otherRows, k));
    Broadcast<float[]> previous = jsc.broadcast(target);
    String configJson = toJson(config);
    List<Solved> solved = blocks.map(block -> {
      IalsRowSolver solver = new IalsRowSolver(fromJson(configJson, IalsConfig.class));
      float[] prev = previous.value();
      float[] rows = new float[block.rows.length * k];
      for (int n = 0; n < block.rows.length; n++) {
        System.arraycopy(prev, block.rows[n] * k, rows, n * k, k);
        solver.solve(rows, n, fixed.value(), gram.value(), block.cols[n], block.values[n]);
      }
      return new Solved(block.rows, rows);
    }).collect();
    for (Solved s : solved) {
      for (int n = 0; n < s.rows().length; n++) {
        System.arraycopy(s.factors(), n * k, target, s.rows()[n] * k, k);
      }
    }
    fixed.destroy();
    gram.destroy();
    previous.destroy();
  }

  /** A config travels to the executors as JSON: the core records are not Java-serialisable. */
  static String toJson(Object config) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(config);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T fromJson(String json, Class<T> type) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, type);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Rows of the interaction matrix keyed by {@code rowColumn}, grouped into cached partitions. */
  static JavaRDD<Block> blocks(org.apache.spark.sql.Dataset<Row> events, String rowColumn, String colColumn,
      int partitions) {
    return events.select(rowColumn, colColumn, "value").javaRDD()
        .mapToPair(r -> new Tuple2<>(r.getInt(0), new Tuple2<>(r.getInt(1), r.getFloat(2))))
        .groupByKey(partitions)
        .mapPartitions(it -> {
          List<Integer> rows = new ArrayList<>();
          List<int[]> cols = new ArrayList<>();
          List<float[]> vals = new ArrayList<>();
          while (it.hasNext()) {
            Tuple2<Integer, Iterable<Tuple2<Integer, Float>>> row = it.next();
            List<Tuple2<Integer, Float>> entries = new ArrayList<>();
            row._2().forEach(entries::add);
            // a fixed column order makes each row's solve independent of the shuffle's order
            entries.sort((a, b) -> Integer.compare(a._1(), b._1()));
            // a repeated pair is one entry with the summed value, as in the single-node CSR matrix
            int[] c = new int[entries.size()];
            float[] v = new float[entries.size()];
            int distinct = 0;
            for (Tuple2<Integer, Float> entry : entries) {
              if (distinct > 0 && c[distinct - 1] == entry._1()) {
                v[distinct - 1] += entry._2();
              } else {
                c[distinct] = entry._1();
                v[distinct] = entry._2();
                distinct++;
              }
            }
            rows.add(row._1());
            cols.add(java.util.Arrays.copyOf(c, distinct));
            vals.add(java.util.Arrays.copyOf(v, distinct));
          }
          int[] r = rows.stream().mapToInt(Integer::intValue).toArray();
          return List.of(new Block(r, cols.toArray(int[][]::new), vals.toArray(float[][]::new))).iterator();
        })
        .persist(StorageLevel.MEMORY_AND_DISK());
  }
}
