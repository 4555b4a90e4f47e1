package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's JSON has no "NaN" or "Infinity" strings in numeric fields: they are null. */
class JsonTest {

  @TempDir Path dir;

  record Figures(double rate, float share, double count) {}

  @Test
  void numbersThatAreNotFiniteAreWrittenAsNull() throws IOException {
    ObjectNode root = Json.object();
    root.put("nan", Double.NaN);
    root.put("infinity", Double.POSITIVE_INFINITY);
    root.put("float_nan", Float.NaN);
    root.put("finite", 0.25);
    root.set("record", Json.MAPPER.valueToTree(new Figures(Double.NaN, Float.NEGATIVE_INFINITY, 3)));
    Path file = dir.resolve("out.json");

    Json.write(file, root);

    String text = Files.readString(file);
    assertThat(text).doesNotContain("NaN").doesNotContain("Infinity");
    var back = Json.MAPPER.readTree(text);
    assertThat(back.path("nan").isNull()).isTrue();
    assertThat(back.path("infinity").isNull()).isTrue();
    assertThat(back.path("float_nan").isNull()).isTrue();
    assertThat(back.path("finite").asDouble()).isEqualTo(0.25);
    assertThat(back.path("record").path("rate").isNull()).isTrue();
    assertThat(back.path("record").path("share").isNull()).isTrue();
    assertThat(back.path("record").path("count").asDouble()).isEqualTo(3);
    assertThat(Json.MAPPER.writeValueAsString(new Figures(Double.NaN, 1f, 2))).contains("\"rate\" : null");
  }
}
