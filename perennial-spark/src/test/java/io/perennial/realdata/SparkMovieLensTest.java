package io.perennial.realdata;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.DataFormat;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionReaders;
import io.perennial.data.ReadOptions;
import io.perennial.eval.EvalSettings;
import io.perennial.eval.Evaluator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingListener;
import io.perennial.model.TrainingOptions;
import io.perennial.spark.EventSource;
import io.perennial.spark.SparkIals;
import io.perennial.spark.SparkTrainJob;
import io.perennial.store.Renumbering;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance bar on ml-latest-small (implicit): iALS and BPR trained by spark-train on local[2]
 * rank within 10 % of the single-node model with the same config, by NDCG@10 on the user-temporal
 * split.
 */
class SparkMovieLensTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"ials", "bpr"})
  void sparkTrainedModelIsWithinTenPercentOfSingleNodeOnMovieLens(String model) throws Exception {
    Path ml = RealData.dataset("ml-latest-small");
    Dataset data = InteractionReaders.read(ml, DataFormat.MOVIELENS, ReadOptions.defaults().asImplicit());
    Split split = Splitters.userTemporal(data.log(), 0.8);
    ObjectNode config = model.equals("ials")
        ? new ObjectMapper().createObjectNode().put("factors", 64).put("iterations", 10).put("threads", 2)
        : new ObjectMapper().createObjectNode().put("threads", 1);
    Recommender single = Algorithms.trainer(model, config).fit(data.withLog(split.train()), TrainingOptions.silent());
    double singleNdcg = ndcg(single, split);

    Path train = dir.resolve("train.csv");
    try (BufferedWriter out = Files.newBufferedWriter(train)) {
      out.write("user,item,value,timestamp\n");
      for (int e = 0; e < split.train().size(); e++) {
        out.write(data.users().idOf(split.train().user(e)) + "," + data.items().idOf(split.train().item(e)) + ",1,"
            + split.train().timestamp(e) + "\n");
      }
    }
    SparkSession spark = SparkSession.builder().master("local[2]").appName("perennial-spark movielens")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    SparkTrainJob.Result result = SparkTrainJob.run(spark, EventSource.of(train.toString(), EventSource.Format.CSV),
        new SparkTrainJob.Settings(model, config, SparkIals.Solver.PERENNIAL, 2, Double.NaN),
        TrainingListener.silent(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    Recommender sparkModel = Algorithms.restore(
        Renumbering.into(result.checkpoint(), data.users().ids(), data.items().ids()).state());
    double sparkNdcg = ndcg(sparkModel, split);
    System.out.printf(java.util.Locale.ROOT, "ml-latest-small user-temporal NDCG@10, %s: spark-train %.4f, single-node %.4f%n",
        model, sparkNdcg, singleNdcg);
    assertThat(sparkNdcg).as("spark-train %.4f vs single-node %.4f", sparkNdcg, singleNdcg)
        .isBetween(0.9 * singleNdcg, 1.1 * singleNdcg);
    assertThat(singleNdcg).as("the baseline is the tuned %s, not a broken one", model).isGreaterThan(0.05);
  }

  private static double ndcg(Recommender model, Split split) {
    return Evaluator.evaluate(model, split.test(), EvalSettings.ranking(10)).get("ndcg@10");
  }
}
