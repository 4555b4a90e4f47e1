package io.perennial.realdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.continual.LogEventStream;
import io.perennial.continual.PrequentialEvaluator;
import io.perennial.continual.PrequentialResult;
import io.perennial.continual.Strategies;
import io.perennial.continual.StrategyConfig;
import io.perennial.data.DataFormat;
import io.perennial.data.Dataset;
import io.perennial.data.DuplicatePolicy;
import io.perennial.data.InteractionReaders;
import io.perennial.data.ReadOptions;
import io.perennial.model.Algorithms;
import io.perennial.model.Stability;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Continual-learning issue's stream protocol on ml-latest-small: every rating an implicit event
 * in (timestamp, user, item) order, the first 50 % as warm-up, then test-then-learn on every later
 * event whose user was seen before (top-10 excluding everything the user interacted with so far).
 */
class MovieLensStreamTest {

  @Test
  void continualStrategiesBeatStaticAndFullAndOnlineReachesHr060() {
    Dataset data = InteractionReaders.read(RealData.dataset("ml-latest-small").resolve("ratings.csv"),
        DataFormat.MOVIELENS, ReadOptions.defaults().asImplicit().withDuplicates(DuplicatePolicy.KEEP_ALL));
    Dataset stream = LogEventStream.inStreamOrder(data);
    StrategyConfig config = StrategyConfig.forStream(stream.size() - Math.round(0.5 * stream.size()));
    Map<String, PrequentialResult> results = new LinkedHashMap<>();
    for (String s : List.of("static", "full", "incremental", "online", "hybrid")) {
      PrequentialResult r = PrequentialEvaluator.run(stream, Strategies.create(s), "ials",
          Algorithms.streamingDefaults("ials"), config, PrequentialEvaluator.Settings.defaults(), p -> {});
      results.put(s, r);
      System.out.printf("ml-latest-small stream, ials %s: HR@10 %.4f NDCG@10 %.4f update CPU %.2fs tested %d%n",
          s, r.hitRate(), r.ndcg(), r.updateCpuSeconds(), r.tested());
    }
    assertThat(results.get("online").hitRate()).isGreaterThanOrEqualTo(0.060);
    assertThat(results.get("hybrid").hitRate()).isGreaterThanOrEqualTo(0.060);
    double baseline = Math.max(results.get("static").hitRate(), results.get("full").hitRate());
    for (String s : List.of("online", "incremental", "hybrid")) {
      assertThat(results.get(s).hitRate()).as(s).isGreaterThan(baseline);
    }
    assertThat(results.get("online").tested()).isGreaterThan(50_000);
  }

  /** The forgetting bar: BPR fine-tunes of 5 epochs every 1 % of the stream, seed 42 (docs/BENCHMARKS.md). */
  @Test
  void replayWithDistillationCutsTheForgettingOfPlainFineTuningByAtLeastHalf() {
    Dataset stream = LogEventStream.inStreamOrder(InteractionReaders.read(
        RealData.dataset("ml-latest-small").resolve("ratings.csv"), DataFormat.MOVIELENS,
        ReadOptions.defaults().asImplicit().withDuplicates(DuplicatePolicy.KEEP_ALL)));
    StrategyConfig config = StrategyConfig.forStream(stream.size() - Math.round(0.5 * stream.size()));
    var bpr = Algorithms.streamingDefaults("bpr").put("partialFitEpochs", 5);
    PrequentialResult plain = PrequentialEvaluator.run(stream, Strategies.create("incremental"), "bpr", bpr,
        config.withProtection(0, Stability.none()), PrequentialEvaluator.Settings.defaults(), p -> {});
    PrequentialResult guarded = PrequentialEvaluator.run(stream, Strategies.create("incremental"), "bpr", bpr,
        config.withProtection(1, new Stability(0f, false, 1f)), PrequentialEvaluator.Settings.defaults(), p -> {});
    System.out.printf("ml-latest-small stream, bpr incremental: forgetting drop plain %.5f, replay + distillation %.5f;"
        + " HR@10 %.4f vs %.4f%n", plain.forgettingDrop(), guarded.forgettingDrop(), plain.hitRate(), guarded.hitRate());
    assertThat(plain.forgettingDrop()).isPositive();
    assertThat(guarded.forgettingDrop()).isLessThanOrEqualTo(0.5 * plain.forgettingDrop());
    assertThat(guarded.hitRate()).isGreaterThan(0.95 * plain.hitRate());
  }
}
