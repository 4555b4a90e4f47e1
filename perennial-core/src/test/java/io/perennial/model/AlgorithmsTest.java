package io.perennial.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.model.bpr.BprModel;
import org.junit.jupiter.api.Test;

class AlgorithmsTest {

  @Test
  void aServerTrainsBprWithFewerOnlineStepsThanAnOfflineStream() {
    ObjectNode serving = Algorithms.servingDefaults("bpr");
    BprModel served = (BprModel) Algorithms.trainer("bpr", serving).fit(Fixtures.implicitCheckerboard(1));
    BprModel streamed = (BprModel) Algorithms.trainer("bpr", Algorithms.streamingDefaults("bpr"))
        .fit(Fixtures.implicitCheckerboard(1));
    assertThat(served.state().config().get("onlineSteps").asInt()).isEqualTo(3);
    assertThat(served.state().config().get("onlineReplay").asInt()).isEqualTo(2);
    assertThat(streamed.state().config().get("onlineSteps").asInt()).isEqualTo(10);
  }

  @Test
  void servingKeepsTheStreamingOverridesOfOtherModels() {
    assertThat(Algorithms.servingDefaults("ials")).isEqualTo(Algorithms.streamingDefaults("ials"));
  }
}
