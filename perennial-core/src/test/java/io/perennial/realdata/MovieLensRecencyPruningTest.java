package io.perennial.realdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.DataFormat;
import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionReaders;
import io.perennial.data.ReadOptions;
import io.perennial.eval.EvalSettings;
import io.perennial.eval.Evaluator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.store.Checkpoint;
import io.perennial.store.Provenance;
import io.perennial.store.Pruning;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's recency pruning on ml-latest-small, implicit, per-user temporal 80/20: iALS trained on
 * the training part, then its users and items unseen in that part for 5, 3 and 1 years before its
 * newest event dropped ({@link Pruning#byFrequencyAndRecency}). Each pruned model is scored as it
 * would serve: the test events are matched to its ids by name, a pruned user gets the popularity
 * fallback (an unknown user) and a pruned item can no longer be recommended. Figures are printed
 * for docs/BENCHMARKS.md ("Pruning"). About a minute.
 */
class MovieLensRecencyPruningTest {

  private static final long YEAR = 365L * 86_400;

  @Test
  void shorterWindowsMakeSmallerFilesAndServeTheDroppedUsersByPopularity() {
    Dataset data = InteractionReaders.read(RealData.dataset("ml-latest-small").resolve("ratings.csv"),
        DataFormat.MOVIELENS, ReadOptions.defaults().asImplicit());
    Split split = Splitters.userTemporal(data.log(), 0.8);
    Dataset train = data.withLog(split.train());
    Recommender model = Algorithms.trainer("ials", null).fit(train);
    Checkpoint full = new Checkpoint(model.state(), data.users(), data.items(),
        Provenance.ofTraining(1, "ml-latest-small", train));
    Pruning.LastSeen seen = Pruning.LastSeen.of(full, train);
    EvalSettings settings = EvalSettings.ranking(10).withAuc(false);
    double unpruned = ndcg(full, data, split, settings);
    long previousBytes = full.encodedBytes();
    int previousUsers = full.users().size();
    List<Double> windows = new ArrayList<>();
    System.out.printf("ml-latest-small iALS user-temporal 0.8, newest training event %d: unpruned %d users %d items"
        + " %d bytes ndcg@10 %.4f%n", seen.newest(), full.users().size(), full.items().size(), full.encodedBytes(),
        unpruned);
    for (int years : new int[] {5, 3, 1}) {
      Pruning.Result r = Pruning.byFrequencyAndRecency(full, 1, 1, seen, seen.newest() - years * YEAR);
      double ndcg = ndcg(r.checkpoint(), data, split, settings);
      System.out.printf("unseen for %dy dropped, kept %d of %d users, %d of %d items, %d bytes (%.1f %%), ndcg@10 %.4f"
          + " (%.1f %% of unpruned)%n", years, r.usersKept(), r.usersBefore(), r.itemsKept(), r.itemsBefore(),
          r.checkpoint().encodedBytes(), 100.0 * r.checkpoint().encodedBytes() / full.encodedBytes(), ndcg,
          100 * ndcg / unpruned);
      assertThat(r.checkpoint().encodedBytes()).isLessThan(previousBytes);
      assertThat(r.usersKept()).isLessThan(previousUsers).isPositive();
      previousBytes = r.checkpoint().encodedBytes();
      previousUsers = r.usersKept();
      windows.add(ndcg);
    }
    // the pruned users still get something: the popularity fallback, so every window scores
    // between what popularity alone and the whole model reach
    Recommender popularity = Algorithms.trainer("pop", null).fit(train);
    double pop = Evaluator.evaluate(popularity, split.test(), settings, data.log()).get("ndcg@10");
    System.out.printf("popularity alone ndcg@10 %.4f%n", pop);
    for (double ndcg : windows) {
      assertThat(ndcg).isGreaterThan(pop * 0.9).isLessThanOrEqualTo(unpruned * 1.05);
    }
  }

  /**
   * NDCG@10 of the model in {@code checkpoint} on the test part, its users and items matched by
   * name: the ids it lacks get indices past its tables, so users fall back to popularity and items
   * are relevant but never recommended.
   */
  private static double ndcg(Checkpoint checkpoint, Dataset data, Split split, EvalSettings settings) {
    Recommender model = Algorithms.restore(checkpoint.state());
    IdIndex users = IdIndex.of(checkpoint.users().ids());
    IdIndex items = IdIndex.of(checkpoint.items().ids());
    InteractionLog test = translate(split.test(), data, users, items);
    InteractionLog known = translate(data.log(), data, users, items);
    return Evaluator.evaluate(model, test, settings, known).get("ndcg@10");
  }

  private static InteractionLog translate(InteractionLog log, Dataset data, IdIndex users, IdIndex items) {
    InteractionLog out = new InteractionLog(log.size());
    for (int e = 0; e < log.size(); e++) {
      out.add(users.getOrAdd(data.users().idOf(log.user(e))), items.getOrAdd(data.items().idOf(log.item(e))),
          log.value(e), log.timestamp(e), log.type(e));
    }
    return out;
  }
}
