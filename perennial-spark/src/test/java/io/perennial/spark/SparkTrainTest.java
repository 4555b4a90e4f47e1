package io.perennial.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.DuplicatePolicy;
import io.perennial.data.ErrorPolicy;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spark-train on local[2]: the stages read, validate, de-duplicate and index as the core readers
 * do, and a Spark-trained iALS ranks within 10 % of the single-node iALS with the same factors on
 * the user-temporal split of a generated world.
 */
class SparkTrainTest {

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
    Recommender single = Algorithms.trainer("ials", config()).fit(world.withLog(split.train()), TrainingOptions.silent());
    singleNodeNdcg = SparkTestSupport.ndcg10(single, split);
    assertThat(singleNodeNdcg).as("the single-node baseline learns the world").isGreaterThan(0.05);
  }

  private static ObjectNode config() {
    return JSON.createObjectNode().put("factors", 16).put("iterations", 8).put("threads", 2);
  }

  private static SparkTrainJob.Result train(EventSource source, SparkIals.Solver solver) {
    return SparkTrainJob.run(SparkTestSupport.spark(), source,
        new SparkTrainJob.Settings("ials", config(), solver, 2, Double.NaN), TrainingListener.silent(), QUIET);
  }

  @Test
  void distributedIalsRanksWithinTenPercentOfSingleNode() {
    // the single-node baseline learns every event of the split (repeats included), so the job keeps them all
    SparkTrainJob.Result result = train(EventSource.of(trainCsv.toString(), EventSource.Format.CSV)
        .withDuplicates(DuplicatePolicy.KEEP_ALL), SparkIals.Solver.PERENNIAL);
    assertThat(result.data().size()).isEqualTo(split.train().size());
    Path file = dir.resolve("spark.pmdl");
    result.checkpoint().write(file);
    Recommender model = SparkTestSupport.inNumberingOf(Checkpoint.read(file), world);
    double ndcg = SparkTestSupport.ndcg10(model, split);
    assertThat(ndcg).as("Spark-trained %.4f vs single-node %.4f", ndcg, singleNodeNdcg)
        .isBetween(0.9 * singleNodeNdcg, 1.1 * singleNodeNdcg);
  }

  @Test
  void mllibAlsRanksWithinTenPercentOfSingleNode() {
    SparkTrainJob.Result result = train(EventSource.of(trainCsv.toString(), EventSource.Format.CSV)
        .withDuplicates(DuplicatePolicy.KEEP_ALL), SparkIals.Solver.MLLIB);
    Recommender model = SparkTestSupport.inNumberingOf(result.checkpoint(), world);
    assertThat(model.type()).isEqualTo("ials");
    double ndcg = SparkTestSupport.ndcg10(model, split);
    assertThat(ndcg).as("MLlib ALS %.4f vs single-node %.4f", ndcg, singleNodeNdcg)
        .isGreaterThanOrEqualTo(0.9 * singleNodeNdcg);
  }

  @Test
  void invalidRowsAreNamedByFileLineAndFieldOrSkippedAndCounted() throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "user,item,value,timestamp\nu1,i1,1,100\nu1,i2,x,101\nu2,,1,102\nu2,i1,2,103\n");
    EventSource source = EventSource.of(csv.toString(), EventSource.Format.CSV);
    assertThatThrownBy(() -> SparkEvents.prepare(SparkTestSupport.spark(), source, 2))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("bad.csv:3: field 'value': not a number: 'x'")
        .hasMessageContaining("2 invalid rows in all");
    SparkEvents.Prepared skipped = SparkEvents.prepare(SparkTestSupport.spark(), source.withErrors(ErrorPolicy.SKIP), 2);
    assertThat(skipped.report().rows()).isEqualTo(4);
    assertThat(skipped.report().accepted()).isEqualTo(2);
    assertThat(skipped.report().invalidTotal()).isEqualTo(2);
    assertThat(skipped.report().examples()).hasSize(2).last().asString().contains("bad.csv:4: field 'item'");
    assertThat(skipped.users()).containsExactly("u1", "u2");
    skipped.events().unpersist();
  }

  @Test
  void duplicatesFollowThePolicyInFileOrderAndIdsAreIndexedByFirstAppearance() throws Exception {
    Path jsonl = dir.resolve("events.jsonl");
    Files.writeString(jsonl, String.join("\n",
        "{\"user\": \"b\", \"item\": 7, \"rating\": 1, \"ts\": 10}",
        "{\"user\": \"a\", \"item\": 7, \"rating\": 2, \"ts\": 11}",
        "{\"user\": \"b\", \"item\": 7, \"rating\": 3, \"ts\": 12}",
        "{\"user\": \"a\", \"item\": \"9\", \"rating\": 4, \"ts\": \"1970-01-01T00:00:13Z\"}") + "\n");
    EventSource source = EventSource.of(jsonl.toString(), EventSource.Format.JSONL);
    assertThat(valueOf(source.withDuplicates(DuplicatePolicy.KEEP_LAST), "b", "7")).isEqualTo(3f);
    assertThat(valueOf(source.withDuplicates(DuplicatePolicy.KEEP_FIRST), "b", "7")).isEqualTo(1f);
    assertThat(valueOf(source.withDuplicates(DuplicatePolicy.SUM), "b", "7")).isEqualTo(4f);
    SparkEvents.Prepared all = SparkEvents.prepare(SparkTestSupport.spark(), source.withDuplicates(DuplicatePolicy.KEEP_ALL), 2);
    assertThat(all.report().accepted()).isEqualTo(4);
    assertThat(all.users()).containsExactly("b", "a");
    assertThat(all.items()).containsExactly("7", "9");
    Dataset core = all.toCoreDataset();
    assertThat(core.log().timestamp(core.size() - 1)).as("ISO timestamps parse as in the core readers").isEqualTo(13);
    all.events().unpersist();
    SparkEvents.Prepared implicit = SparkEvents.prepare(SparkTestSupport.spark(),
        new EventSource(jsonl.toString(), EventSource.Format.JSONL, ',', null, EventSource.Columns.aliases(), true, 2f,
            1f, DuplicatePolicy.KEEP_ALL, ErrorPolicy.FAIL), 2);
    assertThat(implicit.report().belowThreshold()).isEqualTo(1);
    assertThat(implicit.toCoreDataset().log().value(0)).isEqualTo(1f);
    implicit.events().unpersist();
  }

  private static float valueOf(EventSource source, String user, String item) {
    SparkEvents.Prepared p = SparkEvents.prepare(SparkTestSupport.spark(), source, 2);
    Dataset core = p.toCoreDataset();
    p.events().unpersist();
    int u = core.users().indexOf(user);
    int i = core.items().indexOf(item);
    float found = Float.NaN;
    int matches = 0;
    for (int e = 0; e < core.size(); e++) {
      if (core.log().user(e) == u && core.log().item(e) == i) {
        found = core.log().value(e);
        matches++;
      }
    }
    assertThat(matches).as("one event per pair after de-duplication").isEqualTo(1);
    return found;
  }

  @Test
  void parquetColumnsAreFoundByAliasAndBadRowsNamedByRowNumber() {
    StructType schema = new StructType(new StructField[] {
        DataTypes.createStructField("userId", DataTypes.LongType, true),
        DataTypes.createStructField("movieId", DataTypes.StringType, true),
        DataTypes.createStructField("rating", DataTypes.DoubleType, true)});
    List<Row> rows = List.of(RowFactory.create(1L, "m1", 4.0), RowFactory.create(2L, "m1", 5.0),
        RowFactory.create(null, "m2", 3.0));
    Path out = dir.resolve("events.parquet");
    SparkTestSupport.spark().createDataFrame(rows, schema).coalesce(1).write().parquet(out.toString());
    EventSource source = EventSource.of(out.toString(), EventSource.Format.PARQUET);
    assertThatThrownBy(() -> SparkEvents.prepare(SparkTestSupport.spark(), source, 2))
        .isInstanceOf(UserInputException.class).hasMessageContaining(":3: field 'user': missing");
    SparkEvents.Prepared p = SparkEvents.prepare(SparkTestSupport.spark(), source.withErrors(ErrorPolicy.SKIP), 2);
    assertThat(p.report().accepted()).isEqualTo(2);
    assertThat(p.users()).containsExactly("1", "2");
    assertThat(p.report().inFileOrder()).as("no timestamp column: file order stands in for time").isTrue();
    p.events().unpersist();
  }

  @Test
  void theCommandRefusesBadOptionsWithOneLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    int badFormat;
    int badModel;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      badFormat = SparkTrainCommand.execute("--data", trainCsv.toString(), "--format", "xml", "--model", "ials",
          "--out", dir.resolve("x.pmdl").toString());
      badModel = SparkTrainCommand.execute("--data", trainCsv.toString(), "--model", "neumf", "--out",
          dir.resolve("x.pmdl").toString());
    } finally {
      System.setErr(saved);
    }
    assertThat(badFormat).isEqualTo(SparkTrainCommand.USER_ERROR);
    assertThat(badModel).isEqualTo(SparkTrainCommand.USER_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("perennial: error: --format: unknown format 'xml'")
        .contains("--model: spark-train trains ials and bpr; 'neumf'")
        .doesNotContain("\tat ");
    assertThat(Files.exists(dir.resolve("x.pmdl"))).isFalse();
  }
}
