package io.perennial.realdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.DataFormat;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionReaders;
import io.perennial.data.ReadOptions;
import io.perennial.eval.EvalSettings;
import io.perennial.eval.EvaluationResult;
import io.perennial.eval.Evaluator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.TrainingOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The quality bars of the Foundation issue, on ml-latest-small with the default hyperparameters.
 * Figures are printed so CI logs record them.
 */
class MovieLensQualityTest {

  private static Path ratings() {
    return RealData.dataset("ml-latest-small").resolve("ratings.csv");
  }

  private static Map<String, Double> implicitUserTemporal(String model) {
    Dataset data = InteractionReaders.read(ratings(), DataFormat.MOVIELENS, ReadOptions.defaults().asImplicit());
    Split split = Splitters.userTemporal(data.log(), 0.8);
    EvaluationResult result = Evaluator.run(Algorithms.trainer(model, null), data, List.of(split),
        EvalSettings.ranking(10).withAuc(false), TrainingOptions.silent());
    assertThat(result.usersEvaluated()).isEqualTo(610);
    System.out.println("ml-latest-small implicit user-temporal 0.8, " + model + ": " + result.metrics());
    return result.metrics();
  }

  @Test
  void readsTheWholeRatingsFile() {
    Dataset data = InteractionReaders.read(ratings(), DataFormat.MOVIELENS, ReadOptions.defaults());
    assertThat(data.size()).isEqualTo(100_836);
    assertThat(data.userCount()).isEqualTo(610);
    assertThat(data.itemCount()).isEqualTo(9_724);
    assertThat(data.report().invalidTotal()).isZero();
  }

  @Test
  void biasedMfFiveFoldRmseIsAtMost0860() {
    Dataset data = InteractionReaders.read(ratings(), DataFormat.MOVIELENS, ReadOptions.defaults());
    EvaluationResult result = Evaluator.run(Algorithms.trainer("mf", null), data, Splitters.kfold(data.log(), 5, 42),
        EvalSettings.ranking(10).withRatingMetrics(true).withAuc(false), TrainingOptions.silent());
    System.out.println("ml-latest-small 5-fold mf: " + result.metrics() + " per fold " + result.perSplit());
    assertThat(result.metrics().get("rmse")).isLessThanOrEqualTo(0.860);
  }

  @Test
  void ialsReachesNdcg0120() {
    assertThat(implicitUserTemporal("ials").get("ndcg@10")).isGreaterThanOrEqualTo(0.120);
  }

  @Test
  void bprReachesNdcg0113() {
    // issue 18's bar; the defaults give 0.1134 at seed 42 (0.1144 mean over seeds 42, 1, 2, 3)
    assertThat(implicitUserTemporal("bpr").get("ndcg@10")).isGreaterThanOrEqualTo(0.113);
  }

  @Test
  void popularityMatchesTheReferenceProtocol() {
    // The reference measured popularity at about 0.088 with this protocol; a large gap would mean
    // our split or metric differs from it.
    assertThat(implicitUserTemporal("pop").get("ndcg@10")).isBetween(0.080, 0.096);
  }

  @Test
  void itemKnnBeatsPopularity() {
    assertThat(implicitUserTemporal("itemknn").get("ndcg@10")).isGreaterThan(0.095);
  }
}
