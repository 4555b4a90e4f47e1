package io.perennial.model.neumf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.model.Algorithms;
import io.perennial.model.Fixtures;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingOptions;
import org.junit.jupiter.api.Test;

/** A curriculum in NeuMF's fused phase: deterministic, and still learns the checkerboard. */
class NeumfCurriculumTest {

  private static Recommender train(String scorer) {
    ObjectNode config = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("epochs", 30)
        .put("batchSize", 64).put("learningRate", 0.005f).put("gmfFactors", 16).put("mlpFactors", 8);
    if (scorer != null) {
      config.putObject("curriculum").put("scorer", scorer).put("pacing", "root").put("start", 0.3f).put("fullAt", 10);
    }
    return Algorithms.trainer("neumf", config).fit(Fixtures.implicitCheckerboard(2), TrainingOptions.silent());
  }

  @Test
  void selfPacedAndPopularityCurriculaAreDeterministicAndLearn() {
    for (String scorer : new String[] {"self-paced", "popularity"}) {
      Recommender a = train(scorer);
      Recommender b = train(scorer);
      assertThat(a.score(3, 7)).as(scorer).isEqualTo(b.score(3, 7));
      assertThat(Fixtures.checkerboardAuc(a)).as(scorer).isGreaterThan(0.85);
    }
    assertThat(train("popularity").score(3, 7)).isNotEqualTo(train(null).score(3, 7));
  }
}
