package io.perennial.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.model.mf.MfModel;
import org.junit.jupiter.api.Test;

/** What the health check refuses, and that its reason names it. */
class ModelHealthTest {

  private static MfModel mf() {
    return (MfModel) Algorithms.trainer("mf", null).fit(Fixtures.explicitCheckerboard(1));
  }

  @Test
  void aTrainedModelPassesWithItsFigures() {
    var data = Fixtures.explicitCheckerboard(1);
    ModelHealth.Verdict verdict = ModelHealth.check(mf(), ModelHealth.DEFAULT_MAX_NORM, data.log());

    assertThat(verdict.healthy()).as(verdict.reason()).isTrue();
    assertThat(verdict.reason()).contains("largest row norm").contains("finite scores on").contains("holdout RMSE");
  }

  @Test
  void aNonFiniteParameterIsRefusedNamingWhere() {
    MfModel model = mf();
    model.itemBias()[3] = Float.POSITIVE_INFINITY;

    ModelHealth.Verdict verdict = ModelHealth.check(model);

    assertThat(verdict.healthy()).isFalse();
    assertThat(verdict.reason()).isEqualTo("mf model has Infinity in item_bias at 3 (training diverged)");
  }

  @Test
  void aRowAboveTheNormLimitIsRefused() {
    MfModel model = mf();
    model.userFactors()[model.factors() * 2] = 2_000f;

    ModelHealth.Verdict verdict = ModelHealth.check(model);

    assertThat(verdict.healthy()).isFalse();
    assertThat(verdict.reason()).startsWith("mf model has user_factors row 2 with norm 2.00e+03, above the limit 1.00e+03");
  }

  @Test
  void predictionsOffTheRatingScaleAreRefusedOnTheHoldout() {
    var data = Fixtures.explicitCheckerboard(1);
    ModelState state = mf().state();
    // a checkpoint from before predicted ratings were clipped, whose biases ran off the scale
    state.floats().remove("rating_range");
    state.floats("global_bias")[0] = 400f;
    Recommender model = Algorithms.restore(state);

    assertThat(ModelHealth.check(model).healthy()).as("parameters alone look fine").isTrue();
    ModelHealth.Verdict verdict = ModelHealth.check(model, ModelHealth.DEFAULT_MAX_NORM, data.log());
    assertThat(verdict.healthy()).isFalse();
    assertThat(verdict.reason()).contains("holdout RMSE of").contains("predicting their mean");
  }

  @Test
  void modelsWithoutFactorsAreCheckedThroughTheirState() {
    Recommender pop = Algorithms.trainer("pop", null).fit(Fixtures.implicitCheckerboard(1));
    assertThat(ModelHealth.check(pop).healthy()).isTrue();
    ModelState state = pop.state();
    state.floats("popularity")[5] = Float.NaN;

    ModelHealth.Verdict verdict = ModelHealth.check(Algorithms.restore(state));

    assertThat(verdict.healthy()).isFalse();
    assertThat(verdict.reason()).isEqualTo("pop model has NaN in popularity at 5 (training diverged)");
  }
}
