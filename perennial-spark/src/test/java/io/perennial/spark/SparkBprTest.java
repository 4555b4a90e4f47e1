package io.perennial.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.DuplicatePolicy;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.eval.Split;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingListener;
import io.perennial.model.TrainingOptions;
import io.perennial.store.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spark-train --model bpr on local[2]: BPR trained by partitions ranks within 10 % of the
 * single-node BPR with the same config on a generated world, the same seed gives the same model,
 * and what partitions cannot train is refused before Spark starts.
 */
class SparkBprTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @TempDir static Path dir;
  private static Dataset world;
  private static Split split;
  private static Path trainCsv;
  private static double singleNodeNdcg;

  @BeforeAll
  static void world() {
    world = SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(30_000).withSeed(5).withSize(600, 800));
    split = SparkTestSupport.userTemporal(world);
    trainCsv = SparkTestSupport.writeCsv(world, split.train(), dir.resolve("train.csv"));
    Recommender single = Algorithms.trainer("bpr", config()).fit(world.withLog(split.train()), TrainingOptions.silent());
    singleNodeNdcg = SparkTestSupport.ndcg10(single, split);
    double popularity = SparkTestSupport.ndcg10(
        Algorithms.trainer("pop", null).fit(world.withLog(split.train()), TrainingOptions.silent()), split);
    assertThat(singleNodeNdcg).as("the single-node baseline learns more than popularity (%.4f)", popularity)
        .isGreaterThan(popularity);
  }

  private static ObjectNode config() {
    return JSON.createObjectNode().put("factors", 16).put("threads", 1);
  }

  private static SparkTrainJob.Result train(int syncs) {
    return SparkTrainJob.run(SparkTestSupport.spark(),
        EventSource.of(trainCsv.toString(), EventSource.Format.CSV).withDuplicates(DuplicatePolicy.KEEP_ALL),
        new SparkTrainJob.Settings("bpr", config(), SparkIals.Solver.PERENNIAL, 2, Double.NaN, syncs),
        TrainingListener.silent(), QUIET);
  }

  @Test
  void bprByPartitionsRanksWithinTenPercentOfSingleNodeAndIsReproducible() {
    SparkTrainJob.Result result = train(SparkBpr.DEFAULT_SYNCS_PER_EPOCH);
    Path file = dir.resolve("spark-bpr.pmdl");
    result.checkpoint().write(file);
    Recommender model = SparkTestSupport.inNumberingOf(Checkpoint.read(file), world);
    assertThat(model.type()).isEqualTo("bpr");
    double ndcg = SparkTestSupport.ndcg10(model, split);
    assertThat(ndcg).as("Spark-trained BPR %.4f vs single-node %.4f", ndcg, singleNodeNdcg)
        .isGreaterThanOrEqualTo(0.9 * singleNodeNdcg);

    Recommender again = SparkTestSupport.inNumberingOf(train(SparkBpr.DEFAULT_SYNCS_PER_EPOCH).checkpoint(), world);
    int user = split.test().user(0);
    assertThat(again.recommend(user, 10, true, null).scores())
        .as("same seed, same partitions: the same model").containsExactly(model.recommend(user, 10, true, null).scores());
  }

  @Test
  void whatPartitionsCannotTrainIsRefusedWithTheReason() {
    ObjectNode adam = config().put("optimizer", "ADAM");
    assertThatThrownBy(() -> SparkTrainJob.validate(
        new SparkTrainJob.Settings("bpr", adam, SparkIals.Solver.PERENNIAL, 2, Double.NaN, 4)))
        .isInstanceOf(UserInputException.class).hasMessageContaining("plain SGD");
    assertThatThrownBy(() -> SparkTrainJob.validate(
        new SparkTrainJob.Settings("bpr", config(), SparkIals.Solver.MLLIB, 2, Double.NaN, 4)))
        .isInstanceOf(UserInputException.class).hasMessageContaining("MLlib has no BPR");
    assertThatThrownBy(() -> SparkTrainJob.validate(
        new SparkTrainJob.Settings("neumf", null, SparkIals.Solver.PERENNIAL, 2, Double.NaN, 4)))
        .isInstanceOf(UserInputException.class).hasMessageContaining("trains ials and bpr");
    assertThat(SparkTrainCommand.execute("--data", trainCsv.toString(), "--format", "csv", "--model", "ials",
        "--syncs-per-epoch", "2", "--out", dir.resolve("x.pmdl").toString())).isEqualTo(SparkTrainCommand.USER_ERROR);
  }
}
