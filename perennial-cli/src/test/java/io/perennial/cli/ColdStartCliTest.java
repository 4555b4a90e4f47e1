package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evaluate --protocol cold-items|cold-users} with the content models and {@code --baselines}, end to end. */
class ColdStartCliTest {

  @TempDir Path dir;
  private CliHarness cli;

  @BeforeEach
  void start() {
    cli = new CliHarness();
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  /** A movies.csv for the generated items 0…199: ten genres by item id. */
  private Path movies() throws IOException {
    StringBuilder sb = new StringBuilder("movieId,title,genres\n");
    String[] genres = {"Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi", "Western", "War", "Crime", "Musical"};
    for (int i = 0; i < 200; i++) {
      sb.append(i).append(",Film ").append(i).append(" (").append(1950 + i % 60).append("),")
          .append(genres[i % 10]).append('|').append(genres[(i / 10) % 10]).append('\n');
    }
    return Files.writeString(dir.resolve("movies.csv"), sb);
  }

  @Test
  void coldItemsRanksOnlyTheColdItemsAndRunsTheBaselinesBesideTheModels() throws IOException {
    Path ratings = CliHarness.ratingsCsv(dir, 6_000);
    Path json = dir.resolve("cold.json");
    assertThat(cli.run("evaluate", "--data", ratings.toString(), "--implicit", "--items", movies().toString(),
        "--protocol", "cold-items", "--cold-fraction", "0.2", "--model", "hybrid,content", "--baselines",
        "--json", json.toString())).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).containsPattern("cold-items: \\d+ training and \\d+ test interactions, candidates the 4[01] cold items");
    JsonNode root = Json.MAPPER.readTree(json.toFile());
    List<String> models = new ArrayList<>();
    root.path("results").forEach(r -> models.add(r.path("model").asText()));
    assertThat(models).containsExactly("hybrid", "content", "random", "genre", "tfidf");
    JsonNode first = root.path("results").get(0);
    assertThat(first.path("protocol").path("name").asText()).isEqualTo("cold-items");
    assertThat(first.path("protocol").path("cold_fraction").asDouble()).isEqualTo(0.2);
    // about 40 candidates (a fifth of the rated items): recall@10 of a random ranking is about 10/40
    double randomRecall = root.path("results").get(2).path("metrics").path("recall@10").asDouble();
    assertThat(randomRecall).isBetween(0.15, 0.35);
  }

  @Test
  void coldUsersTestsOnlyTheColdUsersBeyondTheirFirstEvents() throws IOException {
    Path ratings = CliHarness.ratingsCsv(dir, 6_000);
    assertThat(cli.run("evaluate", "--data", ratings.toString(), "--implicit", "--protocol", "cold-users",
        "--cold-fraction", "0.3", "--cold-user-events", "2", "--model", "pop,ials")).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).containsPattern("cold-users: \\d+ training and \\d+ test interactions\n");
  }

  @Test
  void contentModelsWithoutItemsAndBadColdOptionsAreClearErrors() throws IOException {
    Path ratings = CliHarness.ratingsCsv(dir, 2_000);
    assertThat(cli.run("evaluate", "--data", ratings.toString(), "--implicit", "--protocol", "cold-items",
        "--model", "hybrid")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr()).contains("--model hybrid needs item metadata: give --items");
    assertThat(cli.run("evaluate", "--data", ratings.toString(), "--implicit", "--protocol", "cold-items",
        "--cold-fraction", "1.5", "--model", "pop")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr()).contains("--cold-fraction must be between 0 and 1, got 1.5");
    assertThat(cli.run("evaluate", "--data", ratings.toString(), "--implicit", "--protocol", "cold-items",
        "--candidates", "sampled:50", "--model", "pop")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr()).contains("cannot be combined with --protocol cold-items");
    assertThat(cli.run("evaluate", "--data", ratings.toString(), "--implicit", "--model", "pop", "--baselines"))
        .isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr()).contains("--baselines needs --items");
  }
}
