package io.perennial.model.mf;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.ModelHealth;
import io.perennial.model.Recommender;
import io.perennial.model.Update;
import org.junit.jupiter.api.Test;

/**
 * Biased MF learns in standardised units, so the scale of the ratings (or one wild value) does not
 * decide whether SGD converges.
 */
class MfScalingTest {

  private static final Dataset DATA = SyntheticGenerator.generate(
      SyntheticConfig.defaults().withEvents(6_000).withRatings(true).withSize(200, 150).withSeed(5));

  /** Synthetic 0.5–5 star ratings, split 80/20 at random. */
  private static Split ratings() {
    return Splitters.random(DATA.log(), 0.8, 9);
  }

  private static InteractionLog scaled(InteractionLog log, float factor) {
    InteractionLog out = new InteractionLog(log.size());
    for (int e = 0; e < log.size(); e++) {
      out.add(log.user(e), log.item(e), log.value(e) * factor, log.timestamp(e), log.type(e));
    }
    return out;
  }

  private static MfModel train(InteractionLog log) {
    return (MfModel) Algorithms.trainer("mf", null).fit(DATA.withLog(log));
  }

  private static double rmse(Recommender model, InteractionLog test) {
    double se = 0;
    for (int e = 0; e < test.size(); e++) {
      double err = test.value(e) - model.score(test.user(e), test.item(e));
      se += err * err;
    }
    return Math.sqrt(se / test.size());
  }

  @Test
  void ratingsOnAHundredPointScaleLearnTheSameModelScaledUp() {
    Split split = ratings();
    MfModel stars = train(split.train());
    MfModel percent = train(scaled(split.train(), 20f));

    assertThat(ModelHealth.check(percent).healthy()).as(ModelHealth.check(percent).reason()).isTrue();
    double starsRmse = rmse(stars, split.test());
    double percentRmse = rmse(percent, scaled(split.test(), 20f));
    assertThat(percentRmse).isFinite().isCloseTo(20 * starsRmse, org.assertj.core.data.Percentage.withPercentage(1));
    for (int e = 0; e < 50; e++) {
      int u = split.test().user(e);
      int i = split.test().item(e);
      assertThat(percent.score(u, i)).isCloseTo(20 * stars.score(u, i), org.assertj.core.data.Offset.offset(0.05f));
    }
  }

  @Test
  void oneWildRatingNeitherDivergesNorSpoilsTheOthers() {
    Split split = ratings();
    InteractionLog withOutlier = split.train().copy();
    withOutlier.add(split.train().user(0), split.train().item(1), 1e6f, 1L, InteractionType.RATING);

    MfModel clean = train(split.train());
    MfModel dirty = train(withOutlier);

    assertThat(ModelHealth.check(dirty).healthy()).as(ModelHealth.check(dirty).reason()).isTrue();
    assertThat(rmse(dirty, split.test())).isLessThan(rmse(clean, split.test()) + 0.05);
  }

  @Test
  void onlineAndPartialFitUpdatesStayInTheNormalisedSpace() {
    Split split = ratings();
    MfModel stars = train(split.train());
    MfModel percent = train(scaled(split.train(), 20f));
    InteractionLog later = split.test();
    for (int e = 0; e < 200; e++) {
      stars.learnOnline(later.user(e), later.item(e), later.value(e), later.timestamp(e));
      percent.learnOnline(later.user(e), later.item(e), 20 * later.value(e), later.timestamp(e));
    }
    InteractionLog batch = later.select(java.util.stream.IntStream.range(200, 600).toArray());
    stars.partialFit(Update.of(batch, stars.userCount(), stars.itemCount()));
    percent.partialFit(Update.of(scaled(batch, 20f), percent.userCount(), percent.itemCount()));

    assertThat(ModelHealth.check(percent).healthy()).as(ModelHealth.check(percent).reason()).isTrue();
    for (int e = 600; e < 650; e++) {
      int u = later.user(e);
      int i = later.item(e);
      assertThat(percent.score(u, i)).isCloseTo(20 * stars.score(u, i), org.assertj.core.data.Offset.offset(0.05f));
    }
  }

  @Test
  void predictedRatingsAreClippedToTheTrainingRangeButRankingIsNot() {
    Split split = ratings();
    MfModel model = train(split.train());
    float lowest = Float.MAX_VALUE;
    float highest = -Float.MAX_VALUE;
    for (int e = 0; e < split.train().size(); e++) {
      lowest = Math.min(lowest, split.train().value(e));
      highest = Math.max(highest, split.train().value(e));
    }
    assertThat(model.ratingRange()).containsExactly(lowest, highest);
    float[] all = new float[model.itemCount()];
    boolean rankedAboveTheScale = false;
    for (int u = 0; u < model.userCount(); u++) {
      model.scoreItems(u, all);
      for (int i = 0; i < model.itemCount(); i++) {
        rankedAboveTheScale |= all[i] > highest;
        assertThat(model.score(u, i)).as("user %d item %d", u, i).isBetween(lowest, highest);
      }
    }
    // the clip must matter here, or the test proves nothing
    assertThat(rankedAboveTheScale).isTrue();

    MfModel restored = (MfModel) Algorithms.copy(model);
    assertThat(restored.score(3, 4)).isEqualTo(model.score(3, 4));
    assertThat(restored.ratingRange()).containsExactly(model.ratingRange());
  }
}
