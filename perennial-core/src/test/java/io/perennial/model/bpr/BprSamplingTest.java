package io.perennial.model.bpr;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.model.UserHistory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BprSamplingTest {

  @Test
  void likedPairsAnswerAsTheHistoryDoes() {
    SplittableRandom r = new SplittableRandom(3);
    UserHistory history = new UserHistory(200);
    for (int e = 0; e < 5_000; e++) {
      history.add(r.nextInt(200), r.nextInt(700), 1f);
    }
    history.add(199, Integer.MAX_VALUE - 1, 1f); // ids use all 32 bits of the key
    LikedPairs liked = LikedPairs.of(history);
    int positives = 0;
    for (int u = 0; u < 200; u++) {
      for (int i = 0; i < 700; i++) {
        assertThat(liked.contains(u, i)).as("user %d item %d", u, i).isEqualTo(history.contains(u, i));
        positives += liked.contains(u, i) ? 1 : 0;
      }
    }
    assertThat(positives).isGreaterThan(4_000);
    assertThat(liked.contains(199, Integer.MAX_VALUE - 1)).isTrue();
    assertThat(liked.contains(198, Integer.MAX_VALUE - 1)).isFalse();
    assertThat(LikedPairs.of(new UserHistory(3)).contains(0, 0)).isFalse();
  }

  @Test
  void theFastRandomIsUniformWithinItsBoundAndFollowsItsSeed() {
    BprTrainer.FastRandom a = new BprTrainer.FastRandom(9);
    int bound = 7;
    int[] counts = new int[bound];
    int draws = 70_000;
    for (int n = 0; n < draws; n++) {
      int v = a.nextInt(bound);
      assertThat(v).isBetween(0, bound - 1);
      counts[v]++;
    }
    for (int c : counts) {
      assertThat((double) c).isCloseTo(draws / (double) bound, org.assertj.core.data.Offset.offset(draws * 0.01));
    }
    BprTrainer.FastRandom b = new BprTrainer.FastRandom(9);
    BprTrainer.FastRandom c = new BprTrainer.FastRandom(9);
    BprTrainer.FastRandom other = new BprTrainer.FastRandom(10);
    long first = b.nextLong();
    assertThat(c.nextLong()).isEqualTo(first);
    assertThat(other.nextLong()).isNotEqualTo(first);
  }

  @Test
  void theAliasSamplerFromRawBitsFollowsTheWeights() {
    AliasSampler sampler = new AliasSampler(new double[] {1, 2, 0, 5});
    BprTrainer.FastRandom r = new BprTrainer.FastRandom(4);
    int[] counts = new int[4];
    int draws = 80_000;
    for (int n = 0; n < draws; n++) {
      counts[sampler.sample(r.nextLong())]++;
    }
    assertThat(counts[2]).isZero();
    assertThat(counts[0] / (double) draws).isCloseTo(1 / 8.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(counts[1] / (double) draws).isCloseTo(2 / 8.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(counts[3] / (double) draws).isCloseTo(5 / 8.0, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void anEpochDrawsNoNegativeTheUserLikedAndEstimatesItsLoss() {
    io.perennial.data.Dataset data = io.perennial.data.SyntheticGenerator.generate(
        io.perennial.data.SyntheticConfig.defaults().withEvents(6_000));
    java.util.List<io.perennial.model.EpochReport> reports = new java.util.ArrayList<>();
    BprConfig d = BprConfig.defaults();
    BprConfig config = new BprConfig(16, 4, d.learningRate(), d.learningRateDecay(), d.regularization(),
        d.biasRegularization(), d.initScale(), d.negativeSampling(), d.popularityExponent(), d.samplesPerEpoch(),
        d.optimizer(), 1, 5L, d.foldInSteps(), d.partialFitEpochs(), d.onlineSteps(), d.onlineReplay(), 0, 0f, null, 0, null, null, false);
    BprModel model = new BprTrainer(config).fit(data, io.perennial.model.TrainingOptions.of((m, rep) -> reports.add(rep)));
    assertThat(reports).hasSize(4);
    assertThat(reports.get(0).loss()).isBetween(0.3, 0.75);
    assertThat(reports.get(3).loss()).isLessThan(reports.get(0).loss());
    // the same seed on one thread gives the same model
    BprModel again = new BprTrainer(config).fit(data, io.perennial.model.TrainingOptions.silent());
    assertThat(again.userFactors()).containsExactly(model.userFactors());
  }

  @Test
  void hogwildShardsCutAtUserChangesAndCoverEveryPositiveOnce() {
    // users 0..4 with 1, 10, 2, 30 and 3 positives, grouped by user as the trainer builds them
    int[] counts = {1, 10, 2, 30, 3};
    int n = java.util.Arrays.stream(counts).sum();
    long[] positives = new long[n];
    int p = 0;
    for (int u = 0; u < counts.length; u++) {
      for (int c = 0; c < counts[u]; c++) {
        positives[p++] = ((long) u << 32) | c;
      }
    }
    for (int shards = 1; shards <= 6; shards++) {
      int[] bounds = BprTrainer.userShards(positives, shards);
      assertThat(bounds).hasSize(shards + 1);
      assertThat(bounds[0]).isZero();
      assertThat(bounds[shards]).isEqualTo(n);
      for (int w = 1; w <= shards; w++) {
        assertThat(bounds[w]).isGreaterThanOrEqualTo(bounds[w - 1]);
      }
      for (int w = 1; w < shards; w++) {
        int cut = bounds[w];
        if (cut > 0 && cut < n) {
          assertThat(positives[cut] >>> 32).as("%d shards, cut %d", shards, cut).isNotEqualTo(positives[cut - 1] >>> 32);
        }
      }
    }
    // two shards: the first cut moves from 23 to the end of user 3's run
    assertThat(BprTrainer.userShards(positives, 2)).containsExactly(0, 43, 46);
  }

  /** Share of (positive, uniform non-positive) pairs of the training data the model orders right. */
  private static double trainAuc(BprModel m, io.perennial.data.Dataset data, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int right = 0;
    int pairs = 20_000;
    for (int n = 0; n < pairs; n++) {
      int e = r.nextInt(data.size());
      int u = data.log().user(e);
      int j;
      do {
        j = r.nextInt(data.itemCount());
      } while (m.history().contains(u, j));
      right += m.score(u, data.log().item(e)) > m.score(u, j) ? 1 : 0;
    }
    return (double) right / pairs;
  }

  @Test
  void hogwildOnTwoThreadsLearnsAsWellAsOneThread() {
    io.perennial.data.Dataset data = io.perennial.data.SyntheticGenerator.generate(
        io.perennial.data.SyntheticConfig.defaults().withEvents(20_000));
    BprConfig one = BprConfig.defaults();
    BprModel single = new BprTrainer(one).fit(data, io.perennial.model.TrainingOptions.silent());
    BprModel hogwild = new BprTrainer(one.withThreads(2)).fit(data, io.perennial.model.TrainingOptions.silent());
    double aucOne = trainAuc(single, data, 5);
    double aucTwo = trainAuc(hogwild, data, 5);
    assertThat(aucOne).isGreaterThan(0.85);
    // the shards draw every positive as often as one stream does: same fit within sampling noise
    assertThat(aucTwo).isCloseTo(aucOne, org.assertj.core.data.Offset.offset(0.02));
  }
}
