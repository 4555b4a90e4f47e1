package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.content.ItemEmbeddings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code datasets encode}, {@code train --encode-items} and {@code bench encode} on a small catalogue. */
class EncodeCliTest {

  @TempDir Path dir;

  private Path movies(String firstTitle) throws IOException {
    return Files.writeString(dir.resolve("movies.csv"), "movieId,title,genres\n1," + firstTitle + ",Animation|Comedy\n"
        + "2,Heat (1995),Action|Crime\n3,Sense and Sensibility (1995),Drama|Romance\n");
  }

  @Test
  void reencodingACatalogueEncodesOnlyWhatChanged() throws IOException {
    Path out = dir.resolve("items.pemb");
    try (CliHarness cli = new CliHarness()) {
      assertThat(cli.run("datasets", "encode", "--items", movies("Toy Story (1995)").toString(), "--out", out.toString(),
          "--threads", "2")).isZero();
      assertThat(cli.stdout()).contains("encoded 3 item texts").contains("reused 0 from the cache")
          .contains("wrote 3 vectors of 384 to " + out);
      float[] heat = ItemEmbeddings.read(out).vectorOf("2");

      assertThat(cli.run("datasets", "encode", "--items", movies("Toy Story (1995)").toString(), "--out", out.toString()))
          .isZero();
      assertThat(cli.stdout()).contains("encoded 0 item texts").contains("reused 3 from the cache");

      assertThat(cli.run("datasets", "encode", "--items", movies("Toy Story 2 (1999)").toString(), "--out", out.toString()))
          .isZero();
      assertThat(cli.stdout()).contains("encoded 1 item texts").contains("reused 2 from the cache");
      assertThat(ItemEmbeddings.read(out).vectorOf("2")).containsExactly(heat);

      assertThat(cli.run("datasets", "encode", "--items", movies("X").toString(), "--out", out.toString(),
          "--text-template", "{title")).isEqualTo(Main.USER_ERROR);
      assertThat(cli.stderr()).contains("--text-template: item text template '{title', character 1: '{' is never closed");
    }
  }

  @Test
  void trainEncodesTheItemsBesideTheModelAndBenchReportsThroughput() throws IOException {
    Path ratings = CliHarness.ratingsCsv(Files.createDirectory(dir.resolve("data")), 2_000);
    Path model = dir.resolve("m.pmdl");
    Path bench = dir.resolve("bench.json");
    try (CliHarness cli = new CliHarness()) {
      assertThat(cli.run("train", "--data", ratings.toString(), "--implicit", "--model", "pop", "--out", model.toString(),
          "--items", movies("Toy Story (1995)").toString(), "--encode-items", "--threads", "1")).isZero();
      ItemEmbeddings stored = ItemEmbeddings.read(ItemOptions.embeddingsBesideModel(model));
      assertThat(stored.ids()).containsExactly("1", "2", "3");
      assertThat(stored.dimensions()).isEqualTo(384);

      assertThat(cli.run("bench", "encode", "--items", movies("Toy Story (1995)").toString(), "--threads", "1",
          "--json", bench.toString())).isZero();
      JsonNode json = Json.MAPPER.readTree(bench.toFile());
      assertThat(json.path("items").asInt()).isEqualTo(3);
      assertThat(json.path("texts_per_second").asDouble()).isPositive();
      assertThat(json.path("cached_rerun_encoded").asInt()).isZero();

      assertThat(cli.run("train", "--data", ratings.toString(), "--model", "pop", "--out", dir.resolve("x.pmdl").toString(),
          "--encode-items")).isEqualTo(Main.USER_ERROR);
      assertThat(cli.stderr()).contains("--encode-items needs --items");
    }
  }
}
