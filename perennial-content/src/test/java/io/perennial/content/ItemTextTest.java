package io.perennial.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.data.ItemMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ItemTextTest {

  private static final ItemMetadata HEAT = new ItemMetadata("6", "Heat (1995)", Map.of("plot", "A thief and a detective."),
      Map.of("genres", List.of("Action", "Crime", "Thriller")), Map.of("year", 1995.0, "rating", 8.3),
      List.of("heist", "Pacino", "De Niro"));

  @Test
  void theDefaultTemplateReadsTitleGenresTagsAndText() {
    assertThat(ItemText.defaults().render(HEAT))
        .isEqualTo("Heat (1995). Genres: Action, Crime, Thriller. Tags: heist, Pacino, De Niro. A thief and a detective.");
    assertThat(ItemText.defaults().render(ItemMetadata.titled("1", "Toy Story (1995)", List.of())))
        .isEqualTo("Toy Story (1995)");
    assertThat(ItemText.defaults().render(new ItemMetadata("2", null, null, null, null, List.of("pixar"))))
        .as("no title: the separator before the tags goes too").isEqualTo("Tags: pixar");
  }

  @Test
  void placeholdersNameAnyFieldAndLimitsCutLists() {
    ItemText t = ItemText.parse("{title} ({year}, rated {rating})[ by {director}][; {tags:2}][; {genres:1}]");
    assertThat(t.render(HEAT)).isEqualTo("Heat (1995) (1995, rated 8.3); heist, Pacino; Action");
    assertThat(ItemText.parse("{ID}: {PLOT}").render(HEAT)).as("names ignore case").isEqualTo("6: A thief and a detective.");
  }

  @Test
  void badTemplatesAreRefusedWithThePosition() {
    assertThatThrownBy(() -> ItemText.parse("{title")).hasMessageContaining("character 1: '{' is never closed");
    assertThatThrownBy(() -> ItemText.parse("{title}]")).hasMessageContaining("character 8: ']' without a '['");
    assertThatThrownBy(() -> ItemText.parse("[{a}[{b}]]")).hasMessageContaining("do not nest");
    assertThatThrownBy(() -> ItemText.parse("{tags:0}")).hasMessageContaining("must be at least 1");
    assertThatThrownBy(() -> ItemText.parse("{}")).hasMessageContaining("needs a name");
    assertThatThrownBy(() -> ItemText.parse("just words")).hasMessageContaining("has no placeholder");
  }
}
