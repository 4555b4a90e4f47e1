package io.perennial.content;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.ItemCatalog;
import io.perennial.data.ItemMetadata;
import io.perennial.model.TrainingListener;
import io.perennial.realdata.RealData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ml-latest-small's own movie texts: a film's sequels lie nearer to it than a film of another kind. */
class RealCatalogEncodingTest {

  private static double cosine(ItemEmbeddings e, String a, String b) {
    float[] x = e.vectorOf(a);
    float[] y = e.vectorOf(b);
    double dot = 0;
    for (int i = 0; i < x.length; i++) {
      dot += x[i] * y[i];
    }
    return dot;
  }

  @Test
  void sequelsAreNearerThanUnrelatedFilms() {
    ItemCatalog all = ItemCatalog.read(RealData.dataset("ml-latest-small"));
    List<ItemMetadata> some = new ArrayList<>();
    for (String id : List.of("1", "3114", "78499", "6", "260", "1196", "2571", "6365")) {
      some.add(all.get(id));
    }
    ItemEmbeddings e;
    try (MiniLmEncoder encoder = MiniLmEncoder.quantized(2)) {
      e = new CatalogEncoder(encoder, ItemText.defaults(), 64).encode(ItemCatalog.of(some), null, TrainingListener.silent())
          .embeddings();
    }
    // Toy Story 1 → 2 and 3; Star Wars IV → V; The Matrix → Reloaded; against Heat, a crime thriller
    assertThat(cosine(e, "1", "3114")).isGreaterThan(cosine(e, "1", "6")).isGreaterThan(cosine(e, "1", "2571"));
    assertThat(cosine(e, "1", "78499")).isGreaterThan(cosine(e, "1", "6"));
    assertThat(cosine(e, "260", "1196")).isGreaterThan(cosine(e, "260", "6")).isGreaterThan(cosine(e, "260", "1"));
    assertThat(cosine(e, "2571", "6365")).isGreaterThan(cosine(e, "2571", "1"));
  }
}
