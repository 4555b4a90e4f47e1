package io.perennial.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.DataFormatException;
import io.perennial.data.DuplicatePolicy;
import io.perennial.data.ErrorPolicy;
import io.perennial.model.EpochReport;
import io.perennial.model.TrainingListener;
import io.perennial.store.CheckpointException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code perennial spark-train}: the main class of the perennial-spark jar, run by
 * {@code spark-submit} on a cluster or in-process by the launcher ({@code --master local[2]}).
 */
@Command(name = "spark-train", mixinStandardHelpOptions = true,
    description = "Read, validate, de-duplicate and index events as Spark stages, train iALS or BPR on Spark, and write "
        + "a .pmdl checkpoint that recommend, evaluate and serve load like any other.")
public final class SparkTrainCommand implements Callable<Integer> {

  /** Exit status of a usage or input error, as the perennial command's. */
  static final int USER_ERROR = 2;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master (local[2], spark://host:7077, yarn, k8s://…). Default: spark-submit's, else local[*].")
  String master;

  @Option(names = "--data", required = true, paramLabel = "FILE_OR_DIR",
      description = "A file or a folder of part files (any path Hadoop reads: file:, hdfs://, s3a://).")
  String data;

  @Option(names = "--format", defaultValue = "movielens", paramLabel = "FORMAT",
      description = "movielens (a ratings.csv / u.data / ratings.dat file or folder), csv, jsonl, parquet. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--model", required = true, paramLabel = "NAME",
      description = "ials (our solver or MLlib's ALS) or bpr (our SGD by partitions, rounds per epoch set by --syncs-per-epoch).")
  String model;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Checkpoint to write on the driver (model.pmdl).")
  Path out;

  @Option(names = "--config", paramLabel = "FILE",
      description = "JSON object of config overrides, as train's (e.g. {\"factors\": 64, \"iterations\": 15}).")
  Path config;

  @Option(names = "--solver", defaultValue = "perennial", paramLabel = "NAME",
      description = "perennial (our iALS distributed by partitions: the single-node solver on each block) or mllib "
          + "(Spark MLlib's implicit ALS). Default: ${DEFAULT-VALUE}.")
  String solver;

  @Option(names = "--partitions", paramLabel = "N",
      description = "Partitions of the prepared events and blocks of the solve. Default: the cluster's default parallelism.")
  Integer partitions;

  @Option(names = "--mllib-reg-param", paramLabel = "R",
      description = "MLlib's regParam (it scales the penalty by each row's interactions, so it is not the config's λ). Default: 0.1.")
  Double mllibRegParam;

  @Option(names = "--syncs-per-epoch", paramLabel = "N",
      description = "bpr: rounds per epoch; each round broadcasts the item table and adds every partition's item changes. "
          + "Default: 4.")
  Integer syncsPerEpoch;

  @Option(names = "--implicit", description = "Treat every interaction as implicit feedback of value 1.")
  boolean implicit;

  @Option(names = "--implicit-threshold", paramLabel = "VALUE",
      description = "Drop interactions whose value is below this (e.g. ratings < 4); implies --implicit.")
  Float implicitThreshold;

  @Option(names = "--implicit-weight", paramLabel = "W", description = "The value given to kept interactions; implies --implicit.")
  Float implicitWeight;

  @Option(names = "--duplicates", defaultValue = "keep-last", paramLabel = "POLICY",
      description = "Repeated (user, item) pairs: keep-last, keep-first, sum, keep-all. Default: ${DEFAULT-VALUE}.")
  String duplicates;

  @Option(names = "--on-error", defaultValue = "fail", paramLabel = "POLICY",
      description = "Invalid rows: fail (stop, naming the first in file order) or skip (drop and count). Default: ${DEFAULT-VALUE}.")
  String onError;

  @Option(names = "--delimiter", paramLabel = "SEP", description = "Field separator of csv: one character, tab, comma, semicolon, pipe.")
  String delimiter;

  @Option(names = "--header", negatable = true, description = "Whether line 1 of a csv file is a header. Default: detected.")
  Boolean header;

  @Option(names = "--user-col", paramLabel = "C", description = "User column (name or 0-based index).")
  String userCol;

  @Option(names = "--item-col", paramLabel = "C", description = "Item column (name or 0-based index).")
  String itemCol;

  @Option(names = "--value-col", paramLabel = "C", description = "Value column (name or 0-based index).")
  String valueCol;

  @Option(names = "--time-col", paramLabel = "C", description = "Timestamp column (name or 0-based index).")
  String timeCol;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (for tests). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new SparkTrainCommand());
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      PrintWriter err = line.getErr();
      Throwable cause = e;
      while (cause.getCause() != null && !(cause instanceof UserInputException || cause instanceof DataFormatException)) {
        cause = cause.getCause();
      }
      if (cause instanceof UserInputException || cause instanceof DataFormatException
          || cause instanceof CheckpointException || cause instanceof IllegalArgumentException) {
        err.println("perennial: error: " + cause.getMessage());
        return USER_ERROR;
      }
      err.println("perennial: internal error: " + e);
      e.printStackTrace(err);
      return 1;
    });
    cli.setParameterExceptionHandler((ex, a) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("perennial: " + ex.getMessage());
      err.println("Try 'perennial spark-train --help'.");
      return USER_ERROR;
    });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    PrintStream stdout = System.out;
    EventSource source = source();
    SparkIals.Solver chosen = switch (solver.toLowerCase(Locale.ROOT)) {
      case "perennial" -> SparkIals.Solver.PERENNIAL;
      case "mllib" -> SparkIals.Solver.MLLIB;
      default -> throw new UserInputException("--solver: unknown solver '" + solver + "' (expected perennial or mllib)");
    };
    if (partitions != null && partitions < 1) {
      throw new UserInputException("--partitions must be at least 1, got " + partitions);
    }
    JsonNode overrides = readConfig();
    int syncs = syncsPerEpoch != null ? syncsPerEpoch : SparkBpr.DEFAULT_SYNCS_PER_EPOCH;
    if (syncsPerEpoch != null && !model.equals("bpr")) {
      throw new UserInputException("--syncs-per-epoch applies to --model bpr");
    }
    SparkTrainJob.validate(new SparkTrainJob.Settings(model, overrides, chosen, 1, Double.NaN, syncs)); // refuse before Spark starts
    SparkSession spark = session();
    try {
      int p = partitions != null ? partitions : Math.max(2, spark.sparkContext().defaultParallelism());
      SparkTrainJob.Settings settings = new SparkTrainJob.Settings(model, overrides, chosen, p,
          mllibRegParam == null ? Double.NaN : mllibRegParam, syncs);
      long t0 = System.nanoTime();
      SparkTrainJob.Result result = SparkTrainJob.run(spark, source, settings, progress(stdout), stdout);
      result.checkpoint().write(out);
      stdout.printf(Locale.ROOT, "trained %s (%s solver, Spark %s, %s, %d partitions) on %d users × %d items "
              + "(%d interactions) in %.2fs (prepare %.1fs, train %.1fs, assemble %.1fs); wrote %s%n",
          model, model.equals("bpr") ? "perennial" : solver.toLowerCase(Locale.ROOT), spark.version(), spark.sparkContext().master(), p,
          result.data().userCount(), result.data().itemCount(), result.data().size(), (System.nanoTime() - t0) / 1e9,
          result.prepareSeconds(), result.trainSeconds(), result.assembleSeconds(), out);
      return 0;
    } finally {
      spark.stop();
    }
  }

  private SparkSession session() {
    SparkConf conf = new SparkConf(true).setAppName("perennial spark-train");
    if (master != null) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    if (conf.get("spark.master").startsWith("local")) {
      // an in-process run needs no web UI (its port would clash with a second run) and no address
      // but loopback: looking the host name up can stall start-up for seconds
      conf.setIfMissing("spark.ui.enabled", "false");
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      conf.setIfMissing("spark.sql.shuffle.partitions", String.valueOf(partitions != null ? partitions : 4));
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }

  private JsonNode readConfig() {
    if (config == null) {
      return null;
    }
    try {
      JsonNode node = new ObjectMapper().readTree(Files.readString(config));
      if (node != null && node.has(model) && node.get(model).isObject()) {
        return node.get(model);
      }
      return node;
    } catch (IOException e) {
      throw new UserInputException("--config " + config + ": " + e.getMessage());
    }
  }

  EventSource source() {
    EventSource.Format f;
    try {
      f = EventSource.Format.parse(format);
    } catch (IllegalArgumentException e) {
      throw new UserInputException(e.getMessage());
    }
    if (delimiter != null && f != EventSource.Format.CSV) {
      throw new UserInputException("--delimiter applies to the csv format; " + format + " has a fixed layout");
    }
    if (header != null && f != EventSource.Format.CSV) {
      throw new UserInputException("--header/--no-header apply to the csv format");
    }
    boolean isImplicit = implicit || implicitThreshold != null || implicitWeight != null;
    if (isImplicit && !implicit) {
      System.out.println("note: --implicit-threshold/--implicit-weight imply --implicit");
    }
    float threshold = implicitThreshold == null ? -Float.MAX_VALUE : implicitThreshold;
    float weight = implicitWeight == null ? 1f : implicitWeight;
    if (!Float.isFinite(threshold) || !Float.isFinite(weight)) {
      throw new UserInputException("--implicit-threshold and --implicit-weight must be finite numbers");
    }
    return new EventSource(data, f, delimiterChar(), header,
        new EventSource.Columns(userCol, itemCol, valueCol, timeCol), isImplicit, threshold, weight,
        duplicatePolicy(), errorPolicy());
  }

  private char delimiterChar() {
    if (delimiter == null) {
      return ',';
    }
    return switch (delimiter.toLowerCase(Locale.ROOT)) {
      case "tab", "\\t" -> '\t';
      case "comma" -> ',';
      case "semicolon" -> ';';
      case "pipe" -> '|';
      case "space" -> ' ';
      default -> {
        if (delimiter.length() != 1) {
          throw new UserInputException("--delimiter: expected one character or tab, comma, semicolon, pipe, space; got '"
              + delimiter + "'");
        }
        yield delimiter.charAt(0);
      }
    };
  }

  private DuplicatePolicy duplicatePolicy() {
    return switch (duplicates.toLowerCase(Locale.ROOT)) {
      case "keep-last" -> DuplicatePolicy.KEEP_LAST;
      case "keep-first" -> DuplicatePolicy.KEEP_FIRST;
      case "sum" -> DuplicatePolicy.SUM;
      case "keep-all" -> DuplicatePolicy.KEEP_ALL;
      default -> throw new UserInputException("--duplicates: unknown policy '" + duplicates
          + "' (expected keep-last, keep-first, sum or keep-all)");
    };
  }

  private ErrorPolicy errorPolicy() {
    return switch (onError.toLowerCase(Locale.ROOT)) {
      case "fail" -> ErrorPolicy.FAIL;
      case "skip" -> ErrorPolicy.SKIP;
      default -> throw new UserInputException("--on-error: unknown policy '" + onError + "' (expected fail or skip)");
    };
  }

  /** One progress line per iteration on a terminal; nothing when piped. */
  static TrainingListener progress(PrintStream out) {
    if (System.console() == null) {
      return TrainingListener.silent();
    }
    return (name, r) -> {
      out.printf(Locale.ROOT, "\r%-8s %s %d/%d  %.1fs%s", name, name.startsWith("bpr") ? "epoch" : "iteration", r.epoch(),
          r.totalEpochs(), r.elapsedSeconds(),
          r.epoch() == r.totalEpochs() ? "\n" : "");
      out.flush();
    };
  }
}
