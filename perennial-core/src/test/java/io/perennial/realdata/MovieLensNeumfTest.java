package io.perennial.realdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.DataFormat;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionReaders;
import io.perennial.data.ReadOptions;
import io.perennial.eval.Candidates;
import io.perennial.eval.EvalSettings;
import io.perennial.eval.Evaluator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.TrainingOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * NeuMF from its defaults on ml-latest-small, leave-one-out against 100 sampled candidates (the
 * protocol of the NCF paper) — the same run as {@code perennial evaluate … --model neumf --protocol
 * loo --candidates sampled:100}: above the project's BPR on HR@10 and NDCG@10, and within 0.01 of
 * iALS on both. Issue 13's bar is above iALS; the defaults measured 0.734 / 0.482 against iALS's
 * 0.739 / 0.488 (docs/BENCHMARKS.md), so that bar is not met yet and this test guards what is.
 */
class MovieLensNeumfTest {

  @Test
  void neumfFromItsDefaultsBeatsBprAndComesWithinAPointOfIalsOnSampled100() {
    Dataset data = InteractionReaders.read(RealData.dataset("ml-latest-small").resolve("ratings.csv"),
        DataFormat.MOVIELENS, ReadOptions.defaults().asImplicit());
    Split loo = Splitters.leaveOneOut(data.log());
    EvalSettings settings = EvalSettings.ranking(10).withAuc(false).withCandidates(new Candidates(100, 42));
    Map<String, Double> neumf = metrics("neumf", data, loo, settings);
    for (String baseline : List.of("bpr", "ials")) {
      Map<String, Double> other = metrics(baseline, data, loo, settings);
      System.out.printf("ml-latest-small loo sampled:100: neumf hr@10 %.4f ndcg@10 %.4f, %s %.4f / %.4f%n",
          neumf.get("hr@10"), neumf.get("ndcg@10"), baseline, other.get("hr@10"), other.get("ndcg@10"));
      double margin = baseline.equals("bpr") ? 0 : -0.01;
      assertThat(neumf.get("hr@10")).as("neumf hr@10 vs " + baseline).isGreaterThan(other.get("hr@10") + margin);
      assertThat(neumf.get("ndcg@10")).as("neumf ndcg@10 vs " + baseline).isGreaterThan(other.get("ndcg@10") + margin);
    }
  }

  private static Map<String, Double> metrics(String model, Dataset data, Split loo, EvalSettings settings) {
    return Evaluator.run(Algorithms.trainer(model, null), data, List.of(loo), settings, TrainingOptions.silent())
        .metrics();
  }
}
