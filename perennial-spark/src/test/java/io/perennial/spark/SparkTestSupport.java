package io.perennial.spark;

import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.eval.EvalSettings;
import io.perennial.eval.Evaluator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.store.Checkpoint;
import io.perennial.store.Renumbering;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** One in-process Spark for the module's tests, and the split-train-score steps they share. */
final class SparkTestSupport {

  private static SparkSession spark;

  private SparkTestSupport() {}

  /** local[2] on loopback, no UI, few shuffle partitions: what the launcher starts for a small job. */
  static synchronized SparkSession spark() {
    if (spark == null) {
      spark = SparkSession.builder().master("local[2]").appName("perennial-spark tests")
          .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
          .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(spark::stop));
    }
    return spark;
  }

  /** Writes {@code log} of {@code data} as {@code user,item,value,timestamp} with the external ids. */
  static Path writeCsv(Dataset data, InteractionLog log, Path file) {
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      out.write("user,item,value,timestamp\n");
      for (int e = 0; e < log.size(); e++) {
        out.write(data.users().idOf(log.user(e)) + "," + data.items().idOf(log.item(e)) + "," + log.value(e) + ","
            + log.timestamp(e) + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** The user-temporal 80/20 split the acceptance bar is measured on. */
  static Split userTemporal(Dataset data) {
    return Splitters.userTemporal(data.log(), 0.8);
  }

  /** A checkpoint trained elsewhere, in {@code data}'s numbering, as a model. */
  static Recommender inNumberingOf(Checkpoint checkpoint, Dataset data) {
    return Algorithms.restore(Renumbering.into(checkpoint, data.users().ids(), data.items().ids()).state());
  }

  /** NDCG@10 on the split's test part, every item a candidate. */
  static double ndcg10(Recommender model, Split split) {
    return Evaluator.evaluate(model, split.test(), EvalSettings.ranking(10)).get("ndcg@10");
  }
}
