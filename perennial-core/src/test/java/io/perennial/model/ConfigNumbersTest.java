package io.perennial.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Numbers in config overrides that the field's type cannot hold are refused, naming the field. */
class ConfigNumbersTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void aFractionForAnIntegerFieldIsRefused() throws Exception {
    assertThatThrownBy(() -> Algorithms.trainer("bpr", json("{\"seed\": 1.5}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("config field 'seed' for bpr: must be a whole number, got 1.5");
    assertThatThrownBy(() -> Algorithms.trainer("ials", json("{\"factors\": 64.25}")))
        .hasMessageContaining("config field 'factors' for ials: must be a whole number");
  }

  @Test
  void aWholeNumberWrittenWithAFractionPartIsAccepted() throws Exception {
    assertThat(Algorithms.trainer("mf", json("{\"factors\": 16.0, \"seed\": 7e0}")).configJson()
        .path("factors").asInt()).isEqualTo(16);
  }

  @Test
  void anIntegerBeyondTheFieldsRangeIsRefused() throws Exception {
    assertThatThrownBy(() -> Algorithms.trainer("itemknn", json("{\"neighbours\": 10000000000}")))
        .hasMessage("config field 'neighbours' for itemknn: 10000000000 is out of range (at most 2147483647)");
  }

  @Test
  void infinityIsRefusedForFloatingPointFields() throws Exception {
    assertThatThrownBy(() -> Algorithms.trainer("mf", json("{\"learningRate\": 1e400}")))
        .hasMessage("config field 'learningRate' for mf: must be a finite number, got a number too large to represent");
    assertThatThrownBy(() -> Algorithms.trainer("pop", json("{\"halfLifeDays\": -1e999}")))
        .hasMessageContaining("config field 'halfLifeDays' for pop: must be a finite number");
  }

  @Test
  void aDoubleBeyondTheFloatRangeIsRefused() throws Exception {
    assertThatThrownBy(() -> Algorithms.trainer("ials", json("{\"alpha\": 1e300}")))
        .hasMessageStartingWith("config field 'alpha' for ials: 1.0E300 is out of range");
  }

  @Test
  void infinityIsRefusedForIntegerFieldsToo() throws Exception {
    assertThatThrownBy(() -> Algorithms.trainer("bpr", json("{\"epochs\": 1e400}")))
        .hasMessage("config field 'epochs' for bpr: must be a whole number, got a number too large to represent");
  }
}
