package io.perennial.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.data.ItemCatalog;
import io.perennial.data.ItemMetadata;
import io.perennial.model.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encoding a catalogue through the real encoder: unchanged texts come from the cache file. */
class CatalogEncoderTest {

  static MiniLmEncoder minilm;
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    minilm = MiniLmEncoder.quantized(2);
  }

  @AfterAll
  static void close() {
    minilm.close();
  }

  /** The real encoder, counting the texts it is asked for. */
  private static final class Counting implements TextEncoder {
    final AtomicInteger texts = new AtomicInteger();

    @Override
    public String name() {
      return minilm.name();
    }

    @Override
    public int dimensions() {
      return minilm.dimensions();
    }

    @Override
    public float[][] encode(List<String> batch) {
      texts.addAndGet(batch.size());
      return minilm.encode(batch);
    }
  }

  private static ItemCatalog catalog(String firstTitle) {
    return ItemCatalog.of(List.of(
        ItemMetadata.titled("1", firstTitle, List.of("Animation", "Comedy")),
        ItemMetadata.titled("2", "Heat (1995)", List.of("Action", "Crime")),
        ItemMetadata.titled("3", "Sense and Sensibility (1995)", List.of("Drama", "Romance")),
        ItemMetadata.titled("4", "Heat (1995)", List.of("Action", "Crime")),
        ItemMetadata.titled("5", "Casino (1995)", List.of("Crime", "Drama"))));
  }

  @Test
  void aSecondRunEncodesNothingAndAChangedTitleReencodesOneItem() {
    Counting counting = new Counting();
    CatalogEncoder encoder = new CatalogEncoder(counting, ItemText.defaults(), 2);
    List<Integer> batches = new ArrayList<>();
    TrainingListener progress = (model, r) -> batches.add(r.epoch());
    CatalogEncoder.Result first = encoder.encode(catalog("Toy Story (1995)"), null, progress);
    assertThat(first.encoded()).as("items 2 and 4 share a text").isEqualTo(4);
    assertThat(counting.texts.get()).isEqualTo(4);
    assertThat(first.reused()).isZero();
    assertThat(batches).containsExactly(1, 2);
    assertThat(first.embeddings().vectorOf("4")).containsExactly(first.embeddings().vectorOf("2"));

    Path file = dir.resolve("items.pemb");
    first.embeddings().write(file);
    ItemEmbeddings cache = ItemEmbeddings.read(file);

    counting.texts.set(0);
    CatalogEncoder.Result again = encoder.encode(catalog("Toy Story (1995)"), cache, TrainingListener.silent());
    assertThat(again.encoded()).isZero();
    assertThat(again.reused()).isEqualTo(5);
    assertThat(counting.texts.get()).isZero();
    for (String id : List.of("1", "2", "3", "4", "5")) {
      assertThat(again.embeddings().vectorOf(id)).containsExactly(first.embeddings().vectorOf(id));
    }

    CatalogEncoder.Result renamed = encoder.encode(catalog("Toy Story 2 (1999)"), cache, TrainingListener.silent());
    assertThat(renamed.encoded()).isEqualTo(1);
    assertThat(counting.texts.get()).isEqualTo(1);
    assertThat(renamed.reused()).isEqualTo(4);
    assertThat(renamed.embeddings().vectorOf("1")).isNotEqualTo(first.embeddings().vectorOf("1"));
    assertThat(renamed.embeddings().vectorOf("5")).containsExactly(first.embeddings().vectorOf("5"));
  }

  @Test
  void vectorsOfAnotherEncoderAreNotReused() {
    float[] zeros = new float[384 * 1];
    ItemEmbeddings foreign = new ItemEmbeddings("some-other-model", 384, List.of("2"),
        List.of(ItemEmbeddings.hash("Heat (1995). Genres: Action, Crime")), zeros);
    Counting counting = new Counting();
    CatalogEncoder.Result r = new CatalogEncoder(counting, ItemText.defaults(), 64)
        .encode(catalog("Toy Story (1995)"), foreign, TrainingListener.silent());
    assertThat(r.reused()).isZero();
    assertThat(r.encoded()).isEqualTo(4);
  }

  @Test
  void theFileRoundTripsAndACorruptOneIsRefusedByName() throws IOException {
    CatalogEncoder.Result r = new CatalogEncoder(minilm, ItemText.defaults(), 64)
        .encode(catalog("Toy Story (1995)"), null, TrainingListener.silent());
    Path file = dir.resolve("e.pemb");
    r.embeddings().write(file);
    ItemEmbeddings back = ItemEmbeddings.read(file);
    assertThat(back.ids()).containsExactly("1", "2", "3", "4", "5");
    assertThat(back.encoder()).isEqualTo(MiniLmEncoder.QUANTIZED);
    assertThat(back.vectors()).containsExactly(r.embeddings().vectors());
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString())).as("no temp file left").containsExactly("e.pemb");
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> ItemEmbeddings.read(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ": checksum mismatch (file truncated or corrupt; delete it to encode afresh)");
    Files.write(file, java.util.Arrays.copyOf(bytes, 20));
    assertThatThrownBy(() -> ItemEmbeddings.read(file)).hasMessageContaining(file.toString());
    assertThatThrownBy(() -> ItemEmbeddings.read(dir.resolve("none.pemb"))).hasMessageContaining("no such embeddings file");
  }
}
