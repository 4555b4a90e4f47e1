package io.perennial.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.ModelHealth;
import io.perennial.model.TrainingListener;
import io.perennial.model.ials.IalsConfig;
import io.perennial.model.ials.IalsModel;
import io.perennial.store.Checkpoint;
import io.perennial.store.Provenance;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code spark-train} end to end on a running {@link SparkSession}: prepare the events as Spark
 * stages, train iALS on the cluster, and assemble the model on the driver as an ordinary iALS
 * checkpoint (its factors, the users' histories, item popularity), checked by {@link ModelHealth}
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
   * @param model {@code ials} (the only algorithm trained on Spark so far)
   * @param config overrides of {@link IalsConfig#defaults()}, as {@code train --config} (may be null)
   * @param solver our distributed solver or MLlib's ALS
   * @param partitions partitions of the prepared events and blocks of the solve
   * @param mllibRegParam MLlib's {@code regParam}, NaN for {@link SparkIals#DEFAULT_MLLIB_REG_PARAM}
   */
  public record Settings(String model, JsonNode config, SparkIals.Solver solver, int partitions, double mllibRegParam) {}

  /** The written model and what it took. */
  public record Result(Checkpoint checkpoint, Dataset data, double prepareSeconds, double trainSeconds,
      double assembleSeconds) {}

  /** Runs the job and returns the checkpoint (not yet written). */
  public static Result run(SparkSession spark, EventSource source, Settings settings, TrainingListener listener,
      PrintStream out) {
    IalsConfig config = ialsConfig(settings);
    long t0 = System.nanoTime();
    SparkEvents.Prepared prepared = SparkEvents.prepare(spark, source, settings.partitions());
    if (prepared.report().accepted() == 0) {
      throw new UserInputException(source.path() + ": no interactions to train on (" + prepared.report().summary() + ")");
    }
    long t1 = System.nanoTime();
    out.printf(Locale.ROOT, "read %s: %s; %d users × %d items (Spark stages, %.1fs)%n", source.path(),
        prepared.report().summary(), prepared.users().size(), prepared.items().size(), (t1 - t0) / 1e9);
    float[][] factors = SparkIals.train(prepared, config, settings.solver(), settings.partitions(),
        settings.mllibRegParam(), listener);
    long t2 = System.nanoTime();
    Dataset data = prepared.toCoreDataset();
    prepared.events().unpersist();
    IalsModel model = IalsModel.fromFactors(config, data, factors[0], factors[1]);
    ModelHealth.Verdict verdict = ModelHealth.check(model, MAX_NORM, data.log());
    if (!verdict.healthy()) {
      throw new UserInputException("the Spark-trained ials model is unusable, so nothing was written: " + verdict.reason());
    }
    String version = SparkTrainJob.class.getPackage().getImplementationVersion();
    Provenance provenance = new Provenance(config.seed(), source.path(), data.size(), data.log().minTimestamp(),
        data.log().maxTimestamp(), -1, null, Map.of(), Instant.now().toString(),
        "perennial-spark " + (version == null ? "development" : version) + " (Spark " + spark.version() + ", "
            + settings.solver().name().toLowerCase(Locale.ROOT) + " solver)");
    Checkpoint checkpoint = new Checkpoint(model.state(), data.users(), data.items(), provenance);
    long t3 = System.nanoTime();
    return new Result(checkpoint, data, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
  }

  /** The iALS config: the defaults with {@code settings.config()} applied, as {@code train} does. */
  static IalsConfig ialsConfig(Settings settings) {
    if (!settings.model().equals("ials")) {
      throw new UserInputException("--model: spark-train trains ials (our distributed solver or MLlib's ALS); '"
          + settings.model() + "' is trained by the single-node train command");
    }
    try {
      JsonNode json = Algorithms.trainer("ials", settings.config()).configJson();
      return new ObjectMapper().treeToValue(json, IalsConfig.class);
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UserInputException("--config: " + e.getMessage());
    }
  }
}
