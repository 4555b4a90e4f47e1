package io.perennial.realdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.DataFormat;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionReaders;
import io.perennial.data.ReadOptions;
import io.perennial.eval.Candidates;
import io.perennial.eval.EvalSettings;
import io.perennial.eval.EvaluationResult;
import io.perennial.eval.Evaluator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.TrainingOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The leave-one-out protocol on ml-latest-small against the published reference: popularity on
 * sampled:100 measured 0.605 / 0.359 (HR@10 / NDCG@10) with a PyTorch SASRec's evaluation code.
 * Ours draws without replacement from never-touched items; averaged over four candidate seeds it
 * must land within seed noise of that (one seed's HR@10 varies by about ±0.01 here).
 */
class MovieLensLeaveOneOutTest {

  @Test
  void popularityOnSampled100MatchesTheReference() {
    Dataset data = InteractionReaders.read(RealData.dataset("ml-latest-small").resolve("ratings.csv"),
        DataFormat.MOVIELENS, ReadOptions.defaults().asImplicit());
    Split loo = Splitters.leaveOneOut(data.log());
    assertThat(loo.test().size()).isEqualTo(610);
    double hr = 0;
    double ndcg = 0;
    long[] seeds = {42, 1, 2, 3};
    for (long seed : seeds) {
      EvaluationResult result = Evaluator.run(Algorithms.trainer("pop", null), data, List.of(loo),
          EvalSettings.ranking(10).withAuc(false).withCandidates(new Candidates(100, seed)), TrainingOptions.silent());
      hr += result.metrics().get("hr@10") / seeds.length;
      ndcg += result.metrics().get("ndcg@10") / seeds.length;
    }
    System.out.printf("ml-latest-small loo sampled:100 pop, mean of 4 seeds: hr@10 %.4f ndcg@10 %.4f%n", hr, ndcg);
    assertThat(hr).isBetween(0.58, 0.63);
    assertThat(ndcg).isBetween(0.335, 0.38);
  }
}
