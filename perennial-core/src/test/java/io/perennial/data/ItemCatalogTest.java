package io.perennial.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.realdata.RealData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemCatalogTest {

  @TempDir Path dir;

  private static final ItemColumns BOOK_COLUMNS = new ItemColumns("sku", "name", List.of("blurb"),
      List.of("genre"), List.of("year", "price"), List.of("labels"), ";");

  @Test
  void readsMoviesCsvWithQuotedTitlesAndTags() throws IOException {
    Files.writeString(dir.resolve("movies.csv"),
        "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n11,\"American President, The (1995)\",Comedy|Drama|Romance\n5,Nothing,(no genres listed)\n");
    Files.writeString(dir.resolve("tags.csv"),
        "userId,movieId,tag,timestamp\n2,1,pixar,1445714994\n3,1,pixar,1445714995\n3,1,fun,1445714996\n4,99,orphan,1445714997\n");
    ItemCatalog catalog = ItemCatalog.read(dir);
    assertThat(catalog.size()).isEqualTo(4);
    assertThat(catalog.title("11")).isEqualTo("American President, The (1995)");
    assertThat(catalog.get("1").genres()).containsExactly("Adventure", "Animation");
    assertThat(catalog.get("5").genres()).isEmpty();
    assertThat(catalog.tags("1")).containsExactly("pixar", "fun");
    assertThat(catalog.get("99").title()).isNull();
    assertThat(catalog.tags("99")).containsExactly("orphan");
    assertThat(catalog.taggedCount()).isEqualTo(2);
  }

  @Test
  void readsUItemAndMoviesDat() throws IOException {
    Path ml100k = Files.createDirectory(dir.resolve("ml-100k"));
    Files.write(ml100k.resolve("u.item"),
        "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n2|Caf\u00e9 (1996)|01-Jan-1996||http://y|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
            .getBytes(StandardCharsets.ISO_8859_1));
    ItemCatalog ml100kCatalog = ItemCatalog.read(ml100k);
    assertThat(ml100kCatalog.get("1").genres()).containsExactly("Animation", "Children's", "Comedy");
    assertThat(ml100kCatalog.title("2")).isEqualTo("Caf\u00e9 (1996)");
    Path ml1m = Files.createDirectory(dir.resolve("ml-1m"));
    Files.write(ml1m.resolve("movies.dat"), "1::Toy Story (1995)::Animation|Children's|Comedy\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(ItemCatalog.read(ml1m).title("1")).isEqualTo("Toy Story (1995)");
  }

  @Test
  void malformedMetadataNamesFileLineAndField() throws IOException {
    Files.writeString(dir.resolve("movies.dat"), "1::A::Drama\n2::broken\n");
    assertThatThrownBy(() -> ItemCatalog.read(dir)).hasMessageContaining("movies.dat:2: expected id::title::genres");
    Files.writeString(dir.resolve("movies.csv"), "movieId,title,genres\n1,A,Drama\n2\n");
    assertThatThrownBy(() -> ItemCatalog.read(dir)).hasMessageContaining("movies.csv:3: expected 3 fields");
    Path uItem = dir.resolve("u.item");
    Files.writeString(uItem, "1|A|x||u|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|2\n");
    assertThatThrownBy(() -> ItemCatalog.read(uItem)).isInstanceOf(DataFormatException.class)
        .hasMessage(uItem + ":1: field 'Western': genre flag must be 0 or 1, got '2'");
    Path tags = dir.resolve("tags.csv");
    Files.writeString(tags, "userId,movieId,tag,timestamp\n1,1,fun,yesterday\n");
    ItemCatalog movies = ItemCatalog.read(dir.resolve("movies.dat").resolveSibling("movies.csv"),
        ItemReadOptions.defaults().withErrorPolicy(ErrorPolicy.SKIP));
    assertThatThrownBy(() -> movies.withTags(tags, ErrorPolicy.FAIL))
        .hasMessageStartingWith(tags + ":2: field 'timestamp': not a timestamp");
  }

  @Test
  void skipDropsTheBadLinesCountsThemAndKeepsTheRest() throws IOException {
    Path movies = dir.resolve("movies.csv");
    Files.writeString(movies, "movieId,title,genres\n1,A,Drama\n2\n3,\"open,Comedy\n4,D,Horror\n");
    ItemCatalog catalog = ItemCatalog.read(movies, ItemReadOptions.defaults().withErrorPolicy(ErrorPolicy.SKIP));
    assertThat(catalog.items()).extracting(ItemMetadata::id).containsExactly("1", "4");
    assertThat(catalog.skipped()).isEqualTo(2);
    assertThat(catalog.problems()).first().asString().startsWith(movies + ":3: expected 3 fields");
  }

  @Test
  void skipDropsABadFirstRowOfAHeaderlessFileButNotAMissingColumn() throws IOException {
    Path plain = dir.resolve("plain.csv");
    Files.writeString(plain, ",No id\n2,Two\n");
    ItemReadOptions skip = new ItemReadOptions(ItemFormat.CSV, new ItemColumns("0", "1", null, null, null, null, null),
        null, HeaderMode.ABSENT, ErrorPolicy.SKIP);
    ItemCatalog catalog = ItemCatalog.read(plain, skip);
    assertThat(catalog.items()).extracting(ItemMetadata::id).containsExactly("2");
    assertThat(catalog.skipped()).isEqualTo(1);
    Path named = dir.resolve("named.csv");
    Files.writeString(named, "title\nOne\n");
    assertThatThrownBy(() -> ItemCatalog.read(named, ItemReadOptions.defaults().withErrorPolicy(ErrorPolicy.SKIP)))
        .hasMessageStartingWith(named + ":1: field 'id': no item id column in header [title]");
  }

  @Test
  void readsAGenericCsvThroughAColumnMapping() throws IOException {
    Path books = dir.resolve("books.csv");
    Files.writeString(books, "sku,name,blurb,genre,year,price,labels\n"
        + "b1,\"Dune, Messiah\",Sand and spice,SF;Classic,1969,9.5,desert; politics\n"
        + "b2,Emma,,Romance,,,\n");
    ItemCatalog catalog = ItemCatalog.read(books, ItemReadOptions.defaults().withColumns(BOOK_COLUMNS));
    ItemMetadata dune = catalog.get("b1");
    assertThat(dune.title()).isEqualTo("Dune, Messiah");
    assertThat(dune.text()).containsExactly(Map.entry("blurb", "Sand and spice"));
    assertThat(dune.categories()).containsExactly(Map.entry("genre", List.of("SF", "Classic")));
    assertThat(dune.numbers()).containsExactly(Map.entry("year", 1969.0), Map.entry("price", 9.5));
    assertThat(dune.tags()).containsExactly("desert", "politics");
    ItemMetadata emma = catalog.get("b2");
    assertThat(emma.text()).isEmpty();
    assertThat(emma.numbers()).isEmpty();
  }

  @Test
  void genericCsvErrorsNameTheColumn() throws IOException {
    Path books = dir.resolve("books.csv");
    Files.writeString(books, "sku,name,blurb,genre,year,price,labels\nb1,A,x,SF,nineteen,1,\n");
    assertThatThrownBy(() -> ItemCatalog.read(books, ItemReadOptions.defaults().withColumns(BOOK_COLUMNS)))
        .isInstanceOf(DataFormatException.class)
        .hasMessage(books + ":2: field 'year': not a number: 'nineteen'");
    Path noId = dir.resolve("noid.csv");
    Files.writeString(noId, "name,blurb\nA,x\n");
    assertThatThrownBy(() -> ItemCatalog.read(noId)).hasMessageStartingWith(noId + ":1: field 'id': no item id column in header [name, blurb]");
    Path noPlot = dir.resolve("noplot.csv");
    Files.writeString(noPlot, "item_id,name,blurb\n1,A,x\n");
    assertThatThrownBy(() -> ItemCatalog.read(noPlot, ItemReadOptions.defaults().withColumns(
        new ItemColumns(null, "name", List.of("plot"), null, null, null, null))))
        .hasMessage(noPlot + ":1: field 'plot': no column named 'plot' in header [item_id, name, blurb]");
    Path badId = dir.resolve("badid.csv");
    Files.writeString(badId, "id,title\n,Empty\n");
    assertThatThrownBy(() -> ItemCatalog.read(badId)).hasMessage(badId + ":2: field 'id': empty id");
  }

  @Test
  void readsGenericJsonLinesFlatAndInTheStoredForm() throws IOException {
    Path flat = dir.resolve("books.jsonl");
    Files.writeString(flat, "{\"sku\":\"b1\",\"name\":\"Dune\",\"blurb\":\"Sand\",\"genre\":[\"SF\",\"Classic\"],\"year\":1965,"
        + "\"labels\":\"desert;spice\"}\n\n{\"sku\":7,\"name\":\"Seven\"}\n");
    ItemCatalog catalog = ItemCatalog.read(flat, ItemReadOptions.defaults().withColumns(BOOK_COLUMNS));
    assertThat(catalog.get("b1").categories().get("genre")).containsExactly("SF", "Classic");
    assertThat(catalog.get("b1").tags()).containsExactly("desert", "spice");
    assertThat(catalog.get("b1").numbers()).containsEntry("year", 1965.0);
    assertThat(catalog.title("7")).isEqualTo("Seven");
    Files.writeString(flat, "{\"sku\":\"b1\",\"year\":\"old\"}\n");
    assertThatThrownBy(() -> ItemCatalog.read(flat, ItemReadOptions.defaults().withColumns(BOOK_COLUMNS)))
        .hasMessage(flat + ":1: field 'year': expected a number, got STRING");

    Path stored = dir.resolve("stored.jsonl");
    catalog.writeJsonLines(stored);
    ItemCatalog back = ItemCatalog.read(stored);
    assertThat(back.items()).containsExactlyElementsOf(catalog.items());
    Files.writeString(stored, "{\"id\":\"x\",\"colour\":\"red\"}\n");
    assertThatThrownBy(() -> ItemCatalog.read(stored))
        .hasMessage(stored + ":1: field 'colour': unknown field (expected id, title, text, categories, numbers, tags)");
  }

  @Test
  void tagsFileWithItsOwnHeaderNames() throws IOException {
    Path tags = dir.resolve("labels.csv");
    Files.writeString(tags, "tag,item\ncosy,a\nfun,a\ncosy,a\n");
    ItemCatalog catalog = ItemCatalog.of(List.of(ItemMetadata.titled("a", "Alpha", List.of()))).withTags(tags, ErrorPolicy.FAIL);
    assertThat(catalog.tags("a")).containsExactly("cosy", "fun");
    assertThat(catalog.title("a")).isEqualTo("Alpha");
  }

  @Test
  void readsTheRealLatestSmallMetadata() {
    ItemCatalog catalog = ItemCatalog.read(RealData.dataset("ml-latest-small"));
    assertThat(catalog.size()).isEqualTo(9_742);
    assertThat(catalog.title("1")).isEqualTo("Toy Story (1995)");
    assertThat(catalog.tags("60756")).contains("funny");
    assertThat(catalog.taggedCount()).isEqualTo(1_572);
  }
}
