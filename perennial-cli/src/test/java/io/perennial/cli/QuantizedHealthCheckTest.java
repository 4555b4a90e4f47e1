package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.Fixtures;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code evaluate --quantize int8} health-checks the quantised model it evaluates, not only the float one. */
class QuantizedHealthCheckTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** BPR whose trained item table gets a NaN when {@code poison} (past the float check, as if quantising broke it). */
  private static Trainer bpr(boolean poison) {
    Trainer bpr = Algorithms.trainer("bpr", JSON.valueToTree(Map.of("epochs", 2)));
    return new Trainer() {
      @Override
      public String type() {
        return bpr.type();
      }

      @Override
      public JsonNode configJson() {
        return bpr.configJson();
      }

      @Override
      public Recommender fit(Dataset train, TrainingOptions options) {
        Recommender model = bpr.fit(train, options);
        if (poison) {
          ((FactorModel) model).itemFactors()[0] = Float.NaN;
        }
        return model;
      }
    };
  }

  @Test
  void anUnusableQuantisedModelIsRefusedWithAClearMessage() {
    Dataset data = Fixtures.implicitCheckerboard(2);
    long[] bytes = {0};
    Recommender healthy = Evaluations.quantizedChecked(bpr(false), bytes).fit(data, TrainingOptions.silent());
    assertThat(healthy.type()).isNotEmpty();
    assertThat(bytes[0]).isPositive();
    assertThatThrownBy(() -> Evaluations.quantizedChecked(bpr(true), new long[1]).fit(data, TrainingOptions.silent()))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("int8-quantised bpr model is unusable").hasMessageContaining("non-finite");
  }
}
