package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recommend} shows item titles when MovieLens metadata is at hand. */
class RecommendTitlesTest {

  @TempDir Path dir;
  private Path model;
  private Path ratings;

  /** A model trained on a ratings.csv whose folder also holds a movies.csv with every item's title. */
  @BeforeEach
  void trainBesideAMoviesFile() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("ml"));
    ratings = CliHarness.ratingsCsv(folder, 6_000);
    StringBuilder movies = new StringBuilder("movieId,title,genres\n");
    for (int i = 0; i < 200; i++) {
      movies.append(i).append(",\"Film ").append(i).append(", The (19").append(10 + i % 90).append(")\",Drama\n");
    }
    Files.writeString(folder.resolve("movies.csv"), movies);
    model = dir.resolve("model.pmdl");
    try (CliHarness cli = new CliHarness()) {
      assertThat(cli.run("train", "--data", ratings.toString(), "--implicit", "--model", "bpr",
          "--out", model.toString())).isZero();
    }
  }

  private static String title(String id) {
    int i = Integer.parseInt(id);
    return "Film " + i + ", The (19" + (10 + i % 90) + ")";
  }

  @Test
  void titlesComeFromTheMoviesFileBesideTheTrainingData() throws IOException {
    try (CliHarness cli = new CliHarness()) {
      assertThat(cli.run("recommend", "--model", model.toString(), "--user", "3", "--k", "5")).isZero();
      List<String> lines = cli.stdout().lines().toList();
      assertThat(lines.get(0)).isEqualTo("# titles from " + ratings.getParent().resolve("movies.csv"));
      assertThat(lines.get(1).split("\\s+")).containsExactly("rank", "item", "title", "score");
      assertThat(lines).hasSize(7);
      for (String row : lines.subList(2, 7)) {
        String id = row.substring(6, 26).trim();
        assertThat(row).as(row).contains(" " + title(id) + " ");
        assertThat(row.strip()).matches(".* -?\\d+\\.\\d{4}$");
      }

      assertThat(cli.run("recommend", "--model", model.toString(), "--user", "3", "--k", "5", "--json")).isZero();
      JsonNode json = Json.MAPPER.readTree(cli.stdout());
      assertThat(json.path("items")).hasSize(5);
      for (JsonNode item : json.path("items")) {
        assertThat(item.path("title").asText()).isEqualTo(title(item.path("item").asText()));
        assertThat(item.path("score").isNumber()).isTrue();
      }

      assertThat(cli.run("recommend", "--model", model.toString(), "--similar-to", "7", "--k", "3")).isZero();
      assertThat(cli.stdout()).contains("7 is Film 7, The (1917)");
    }
  }

  @Test
  void itemsOptionNamesAnyMoviesFileAndBadOnesAreReported() throws IOException {
    Path other = dir.resolve("titles.csv");
    StringBuilder movies = new StringBuilder("movieId,title,genres\n");
    for (int i = 0; i < 200; i++) {
      movies.append(i).append(",Other ").append(i).append(",Comedy\n");
    }
    Files.writeString(other, movies);
    Path dat = dir.resolve("movies.dat");
    Files.write(dat, "7::Seventh (1999)::Drama\n".getBytes(StandardCharsets.ISO_8859_1));
    try (CliHarness cli = new CliHarness()) {
      assertThat(cli.run("recommend", "--model", model.toString(), "--user", "3", "--k", "4", "--json",
          "--items", other.toString())).isZero();
      JsonNode json = Json.MAPPER.readTree(cli.stdout());
      assertThat(json.path("titles_from").asText()).isEqualTo(other.toString());
      for (JsonNode item : json.path("items")) {
        assertThat(item.path("title").asText()).isEqualTo("Other " + item.path("item").asText());
      }

      // A ml-1m movies.dat that knows one item: the others show '-' and JSON null.
      assertThat(cli.run("recommend", "--model", model.toString(), "--similar-to", "8", "--k", "200",
          "--items", dat.toString())).isZero();
      assertThat(cli.stdout()).containsPattern("(?m)^\\d+ +7 +Seventh \\(1999\\) +-?\\d")
          .containsPattern("(?m)^\\d+ +9 +- +-?\\d");

      Files.writeString(other, "movieId,title,genres\n1,Only two fields\n");
      assertThat(cli.run("recommend", "--model", model.toString(), "--user", "3", "--items", other.toString()))
          .isEqualTo(Main.USER_ERROR);
      assertThat(cli.stderr().strip()).isEqualTo("perennial: error: " + other + ":2: expected 3 fields, found 2");

      assertThat(cli.run("recommend", "--model", model.toString(), "--user", "3",
          "--items", dir.resolve("none.csv").toString())).isEqualTo(Main.USER_ERROR);
      assertThat(cli.stderr()).contains("none.csv: no such file");
    }
  }

  @Test
  void withoutMetadataTheTableHasNoTitleColumn() throws IOException {
    Files.delete(ratings.getParent().resolve("movies.csv"));
    try (CliHarness cli = new CliHarness()) {
      assertThat(cli.run("recommend", "--model", model.toString(), "--user", "3", "--k", "2")).isZero();
      List<String> lines = cli.stdout().lines().toList();
      assertThat(lines.get(0).split("\\s+")).containsExactly("rank", "item", "score");
      assertThat(lines).hasSize(3);
      assertThat(cli.run("recommend", "--model", model.toString(), "--user", "3", "--k", "2", "--json")).isZero();
      JsonNode json = Json.MAPPER.readTree(cli.stdout());
      assertThat(json.path("titles_from").isNull()).isTrue();
      assertThat(json.path("items").get(0).path("title").isNull()).isTrue();
    }
  }
}
