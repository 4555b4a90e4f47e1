package io.perennial.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.realdata.RealData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MovieLensCatalogTest {

  @TempDir Path dir;

  @Test
  void readsMoviesCsvWithQuotedTitlesAndTags() throws IOException {
    Files.writeString(dir.resolve("movies.csv"),
        "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n11,\"American President, The (1995)\",Comedy|Drama|Romance\n5,Nothing,(no genres listed)\n");
    Files.writeString(dir.resolve("tags.csv"), "userId,movieId,tag,timestamp\n2,1,pixar,1445714994\n3,1,pixar,1445714995\n3,1,fun,1445714996\n");
    MovieLensCatalog catalog = MovieLensCatalog.read(dir);
    assertThat(catalog.size()).isEqualTo(3);
    assertThat(catalog.movie("11").title()).isEqualTo("American President, The (1995)");
    assertThat(catalog.movie("1").genres()).containsExactly("Adventure", "Animation");
    assertThat(catalog.movie("5").genres()).isEmpty();
    assertThat(catalog.tags("1")).containsExactly("pixar", "fun");
  }

  @Test
  void readsUItemAndMoviesDat() throws IOException {
    Path ml100k = Files.createDirectory(dir.resolve("ml-100k"));
    Files.write(ml100k.resolve("u.item"),
        "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(MovieLensCatalog.read(ml100k).movie("1").genres()).containsExactly("Animation", "Children's", "Comedy");
    Path ml1m = Files.createDirectory(dir.resolve("ml-1m"));
    Files.write(ml1m.resolve("movies.dat"), "1::Toy Story (1995)::Animation|Children's|Comedy\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(MovieLensCatalog.read(ml1m).movie("1").title()).isEqualTo("Toy Story (1995)");
  }

  @Test
  void malformedMetadataNamesFileAndLine() throws IOException {
    Files.writeString(dir.resolve("movies.dat"), "1::A::Drama\n2::broken\n");
    assertThatThrownBy(() -> MovieLensCatalog.read(dir)).hasMessageContaining("movies.dat:2: expected id::title::genres");
    Files.writeString(dir.resolve("movies.csv"), "movieId,title,genres\n1,A,Drama\n2\n");
    assertThatThrownBy(() -> MovieLensCatalog.read(dir)).hasMessageContaining("movies.csv:3: expected 3 fields");
  }

  @Test
  void readsTheRealLatestSmallMetadata() {
    MovieLensCatalog catalog = MovieLensCatalog.read(RealData.dataset("ml-latest-small"));
    assertThat(catalog.size()).isEqualTo(9_742);
    assertThat(catalog.movie("1").title()).isEqualTo("Toy Story (1995)");
    assertThat(catalog.tags("60756")).contains("funny");
  }
}
