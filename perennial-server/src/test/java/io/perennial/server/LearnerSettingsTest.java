package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.continual.StrategyConfig;
import io.perennial.model.Algorithms;
import io.perennial.server.learn.LearnerSettings;
import org.junit.jupiter.api.Test;

/** The learner takes every algorithm by name and refuses other names and bad configs up front. */
class LearnerSettingsTest {

  private static LearnerSettings settings(String algorithm, String config) throws Exception {
    return new LearnerSettings(algorithm, config == null ? null : new com.fasterxml.jackson.databind.ObjectMapper().readTree(config),
        "online", StrategyConfig.forStream(20_000), 0, 1000, 64, 0.1, 100, 1);
  }

  @Test
  void everyAlgorithmNameIsAccepted() throws Exception {
    for (String name : Algorithms.NAMES) {
      if (Algorithms.needsContent(name)) {
        assertThatThrownBy(() -> settings(name, null)).hasMessageContaining("needs item content");
        continue;
      }
      assertThat(settings(name, null).algorithm()).isEqualTo(name);
    }
  }

  @Test
  void anUnknownNameOrConfigFieldIsRefusedWithTheChoices() {
    assertThatThrownBy(() -> settings("nosuch", null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown model 'nosuch'").hasMessageContaining(Algorithms.NAMES.toString());
    assertThatThrownBy(() -> settings("bpr", "{\"factorz\":8}")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown config field 'factorz'");
  }
}
