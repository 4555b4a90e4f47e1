package io.perennial.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelHealth;
import io.perennial.model.TrainingListener;
import io.perennial.model.bpr.BprConfig;
import io.perennial.model.bpr.BprModel;
import io.perennial.model.ials.IalsConfig;
import io.perennial.model.ials.IalsModel;
import io.perennial.optim.OptimizerKind;
import io.perennial.store.Checkpoint;
import io.perennial.store.Provenance;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code spark-train} end to end on a running {@link SparkSession}: prepare the events as Spark
 * stages, train iALS or BPR on the cluster, and assemble the model on the driver as an ordinary
 * checkpoint of that type (its factors, the users' histories, item popularity), checked by {@link ModelHealth}
 * before it is written. {@code recommend}, {@code evaluate}, {@code serve} and the server's import
 * route load it like any other {@code .pmdl}.
 */
public final class SparkTrainJob {

  /** Largest factor-row norm a model may have before it counts as diverged (as {@code train}). */
  private static final float MAX_NORM = 1000f;

  private SparkTrainJob() {}

  /**
   * What to train.
   *
   * @param model {@code ials} or {@code bpr}
   * @param config overrides of the model's default config, as {@code train --config} (may be null)
   * @param solver iALS: our distributed solver or MLlib's ALS (BPR has ours only)
   * @param partitions partitions of the prepared events and blocks of the solve
   * @param mllibRegParam MLlib's {@code regParam}, NaN for {@link SparkIals#DEFAULT_MLLIB_REG_PARAM}
   * @param syncsPerEpoch BPR: rounds per epoch ({@link SparkBpr})
   */
  public record Settings(String model, JsonNode config, SparkIals.Solver solver, int partitions, double mllibRegParam,
      int syncsPerEpoch) {

    /** iALS settings (no BPR rounds). */
    public Settings(String model, JsonNode config, SparkIals.Solver solver, int partitions, double mllibRegParam) {
      this(model, config, solver, partitions, mllibRegParam, SparkBpr.DEFAULT_SYNCS_PER_EPOCH);
    }
  }

  /** The written model and what it took. */
  public record Result(Checkpoint checkpoint, Dataset data, double prepareSeconds, double trainSeconds,
      double assembleSeconds) {}

  /** Runs the job and returns the checkpoint (not yet written). */
  public static Result run(SparkSession spark, EventSource source, Settings settings, TrainingListener listener,
      PrintStream out) {
    Object config = validate(settings);
    long t0 = System.nanoTime();
    SparkEvents.Prepared prepared = SparkEvents.prepare(spark, source, settings.partitions());
    if (prepared.report().accepted() == 0) {
      throw new UserInputException(source.path() + ": no interactions to train on (" + prepared.report().summary() + ")");
    }
    long t1 = System.nanoTime();
    out.printf(Locale.ROOT, "read %s: %s; %d users × %d items (Spark stages, %.1fs)%n", source.path(),
        prepared.report().summary(), prepared.users().size(), prepared.items().size(), (t1 - t0) / 1e9);
    long seed;
    String solverName;
    FactorModel model;
    long t2;
    Dataset data;
    if (config instanceof BprConfig bpr) {
      float[][] tables = SparkBpr.train(prepared, bpr, settings.partitions(), settings.syncsPerEpoch(), listener);
      t2 = System.nanoTime();
      data = prepared.toCoreDataset();
      model = BprModel.fromFactors(bpr, data, tables[0], tables[1], tables[2]);
      seed = bpr.seed();
      solverName = "perennial solver, " + settings.syncsPerEpoch() + " rounds per epoch";
    } else {
      IalsConfig ials = (IalsConfig) config;
      float[][] factors = SparkIals.train(prepared, ials, settings.solver(), settings.partitions(),
          settings.mllibRegParam(), listener);
      t2 = System.nanoTime();
      data = prepared.toCoreDataset();
      model = IalsModel.fromFactors(ials, data, factors[0], factors[1]);
      seed = ials.seed();
      solverName = settings.solver().name().toLowerCase(Locale.ROOT) + " solver";
    }
    prepared.events().unpersist();
    ModelHealth.Verdict verdict = ModelHealth.check(model, MAX_NORM, data.log());
    if (!verdict.healthy()) {
      throw new UserInputException("the Spark-trained " + settings.model() + " model is unusable, so nothing was written: "
          + verdict.reason());
    }
    String version = SparkTrainJob.class.getPackage().getImplementationVersion();
    Provenance provenance = new Provenance(seed, source.path(), data.size(), data.log().minTimestamp(),
        data.log().maxTimestamp(), -1, null, Map.of(), Instant.now().toString(),
        "perennial-spark " + (version == null ? "development" : version) + " (Spark " + spark.version() + ", "
            + solverName + ")");
    Checkpoint checkpoint = new Checkpoint(model.state(), data.users(), data.items(), provenance);
    long t3 = System.nanoTime();
    return new Result(checkpoint, data, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
  }

  /**
   * The model's config — the defaults with {@code settings.config()} applied, as {@code train}
   * does — after refusing what Spark does not train, before any Spark work starts.
   *
   * @return an {@link IalsConfig} or a {@link BprConfig}
   */
  static Object validate(Settings settings) {
    Class<?> type = switch (settings.model()) {
      case "ials" -> IalsConfig.class;
      case "bpr" -> BprConfig.class;
      default -> throw new UserInputException("--model: spark-train trains ials and bpr; '" + settings.model()
          + "' is trained by the single-node train command");
    };
    Object config;
    try {
      JsonNode json = Algorithms.trainer(settings.model(), settings.config()).configJson();
      config = new ObjectMapper().treeToValue(json, type);
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UserInputException("--config: " + e.getMessage());
    }
    if (config instanceof BprConfig bpr) {
      if (settings.solver() == SparkIals.Solver.MLLIB) {
        throw new UserInputException("--solver mllib: MLlib has no BPR; bpr is trained by the perennial solver");
      }
      if (bpr.dp() != null) {
        throw new UserInputException("--config: DP-SGD (\"dp\") is single-node only: its Poisson batches are drawn "
            + "from all the data at once; train it with the train command");
      }
      if (bpr.optimizer() != OptimizerKind.SGD) {
        throw new UserInputException("--config: spark-train trains bpr with plain SGD; optimizer " + bpr.optimizer()
            + " keeps per-row state that does not travel between rounds (train it with the train command)");
      }
      if (bpr.curriculum() != null || bpr.progressive() != null) {
        throw new UserInputException("--config: curriculum and progressive stages are single-node recipes (they order "
            + "or widen over all the data); train them with the train command");
      }
      if (settings.syncsPerEpoch() < 1) {
        throw new UserInputException("--syncs-per-epoch must be at least 1, got " + settings.syncsPerEpoch());
      }
    }
    return config;
  }
}
