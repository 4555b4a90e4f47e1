package io.perennial.model.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.perennial.data.IdIndex;
import io.perennial.data.ItemCatalog;
import io.perennial.data.ItemMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContentFeaturesTest {

  private static final ItemContent CATALOG = ItemContent.of(ItemCatalog.of(List.of(
      ItemMetadata.titled("a", "Toy Story (1995)", List.of("Animation", "Comedy")),
      ItemMetadata.titled("b", "Toy Story 2 (1999)", List.of("Animation", "Comedy")).withTags(List.of("pixar")),
      ItemMetadata.titled("c", "Heat (1995)", List.of("Crime", "Thriller")),
      ItemMetadata.titled("d", "Casino (1995)", List.of("Crime", "Drama")).withTags(List.of("pixar")))));

  private static IdIndex ids() {
    return IdIndex.of(List.of("a", "b", "c", "d", "unknown"));
  }

  @Test
  void termsAreTitleWordsDecadeCategoriesAndTags() {
    Map<String, Integer> terms = ContentFeatures.termsOf(
        ItemMetadata.titled("x", "The Lord of the Rings (2001)", List.of("Fantasy")).withTags(List.of("Epic battle")), false);
    assertThat(terms.keySet()).containsExactlyInAnyOrder("title:lord", "title:rings", "decade:2000", "genres:fantasy",
        "tag:epic battle", "tagword:epic", "tagword:battle");
    assertThat(ContentFeatures.termsOf(ItemMetadata.titled("x", "Heat (1995)", List.of("Crime")), true).keySet())
        .containsExactly("genres:crime");
  }

  @Test
  void rowsAreUnitAndSimilarItemsAreNearer() {
    ItemFeatures tfidf = ContentFeatures.build("tfidf", CATALOG, ids(), 100);
    for (int i = 0; i < 4; i++) {
      assertThat(tfidf.dot(i, i)).isCloseTo(1f, within(1e-5f));
    }
    assertThat(tfidf.hasContent(4)).as("an item the catalogue does not describe").isFalse();
    assertThat(tfidf.dot(0, 1)).as("the two Toy Stories").isGreaterThan(tfidf.dot(0, 2));
    assertThat(tfidf.dot(2, 3)).as("two 1995 crime films").isGreaterThan(tfidf.dot(2, 1));
    ItemFeatures genres = ContentFeatures.build("genres", CATALOG, ids(), 100);
    assertThat(genres.dims()).isEqualTo(5);
    assertThat(genres.dot(0, 1)).isCloseTo(1f, within(1e-5f));
    assertThat(genres.dot(0, 2)).isZero();
  }

  @Test
  void textFeaturesNeedVectorsAndUnknownKindsAreNamed() {
    assertThatThrownBy(() -> ContentFeatures.build("text", CATALOG, ids(), 100)).hasMessageContaining("--encode-items");
    assertThatThrownBy(() -> ContentFeatures.build("bag", CATALOG, ids(), 100)).hasMessageContaining("expected one of");
    TextVectors text = new TextVectors() {
      @Override
      public int dims() {
        return 2;
      }

      @Override
      public float[] vectorOf(String id) {
        return id.equals("a") ? new float[] {3, 4} : id.equals("b") ? new float[] {0, 1} : null;
      }
    };
    ItemFeatures vectors = ContentFeatures.build("text", new ItemContent(CATALOG.catalog(), text), ids(), 100);
    assertThat(vectors.valuesOf(0)).containsExactly(0.6f, 0.8f);
    assertThat(vectors.hasContent(2)).isFalse();
    ItemFeatures both = ContentFeatures.build("tfidf+text", new ItemContent(CATALOG.catalog(), text), ids(), 100);
    assertThat(both.dot(0, 0)).isCloseTo(1f, within(1e-5f));
    assertThat(both.dims()).isEqualTo(ContentFeatures.build("tfidf", CATALOG, ids(), 100).dims() + 2);
  }
}
