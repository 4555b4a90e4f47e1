package io.perennial.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.Dataset;
import io.perennial.eval.HoldoutValidator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.mf.MfModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EarlyStoppingTest {

  /** Reports a metric that peaks at epoch 3, then records what the model scored. */
  private static final class PeakingValidator implements Validator {
    int calls;
    final List<Float> scores = new ArrayList<>();

    @Override
    public String metric() {
      return "fake";
    }

    @Override
    public boolean higherIsBetter() {
      return true;
    }

    @Override
    public double evaluate(Recommender model) {
      calls++;
      scores.add(model.score(0, 0));
      return calls <= 3 ? calls : 3 - calls;
    }
  }

  @Test
  void stopsAfterPatienceAndRestoresTheBestEpoch() {
    Dataset data = Fixtures.explicitCheckerboard(3);
    PeakingValidator validator = new PeakingValidator();
    List<EpochReport> epochs = new ArrayList<>();
    int[] stoppedAt = {-1};
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onEpoch(String model, EpochReport report) {
        epochs.add(report);
      }

      @Override
      public void onEarlyStop(String model, int bestEpoch, double best) {
        stoppedAt[0] = bestEpoch;
      }
    };
    Recommender model = Algorithms.trainer("mf", null)
        .fit(data, new TrainingOptions(listener, validator, 2));
    assertThat(epochs).hasSize(5);
    assertThat(epochs.get(4).validation()).isEqualTo(-2);
    assertThat(stoppedAt[0]).isEqualTo(3);
    // the kept parameters are those the validator saw after epoch 3
    assertThat(model.score(0, 0)).isEqualTo(validator.scores.get(2));
  }

  @Test
  void holdoutValidatorDrivesEarlyStoppingOnRealMetrics() {
    Dataset data = Fixtures.implicitCheckerboard(5);
    Split split = Splitters.userTemporal(data.log(), 0.8);
    HoldoutValidator validator = new HoldoutValidator(split.test(), "ndcg@10", 10);
    assertThat(validator.higherIsBetter()).isTrue();
    List<EpochReport> epochs = new ArrayList<>();
    Recommender model = Algorithms.trainer("bpr", null)
        .fit(data.withLog(split.train()), new TrainingOptions((m, r) -> epochs.add(r), validator, 3));
    assertThat(epochs).isNotEmpty();
    assertThat(epochs).allSatisfy(e -> assertThat(e.validation()).isBetween(0.0, 1.0));
    double best = epochs.stream().mapToDouble(EpochReport::validation).max().orElseThrow();
    assertThat(validator.evaluate(model)).isEqualTo(best);
    assertThat(new HoldoutValidator(split.test(), "rmse", 10).higherIsBetter()).isFalse();
    assertThat(MfModel.TYPE).isEqualTo("mf");
  }
}
