package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.data.ItemCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --items} and {@code --tags}: read the same way by train and evaluate, stored beside the model. */
class ItemOptionsCliTest {

  @TempDir Path dir;

  private Path books() throws IOException {
    StringBuilder csv = new StringBuilder("sku;name;blurb;genre;year\n");
    for (int i = 0; i < 200; i++) {
      csv.append(i).append(";Book ").append(i).append(";About ").append(i).append(";SF|Drama;").append(1900 + i).append('\n');
    }
    return Files.writeString(dir.resolve("books.csv"), csv);
  }

  @Test
  void trainStoresTheCatalogueBesideTheModelAndRecommendUsesIt() throws IOException {
    Path ratings = CliHarness.ratingsCsv(Files.createDirectory(dir.resolve("data")), 4_000);
    Path tags = Files.writeString(dir.resolve("labels.csv"), "item,tag\n3,space\n3,classic\n");
    Path model = dir.resolve("m.pmdl");
    try (CliHarness cli = new CliHarness()) {
      assertThat(cli.run("train", "--data", ratings.toString(), "--implicit", "--model", "pop", "--out", model.toString(),
          "--items", books().toString(), "--item-delimiter", ";", "--item-id-col", "sku", "--item-title-col", "name",
          "--item-text-cols", "blurb", "--item-category-cols", "genre", "--item-numeric-cols", "year",
          "--tags", tags.toString())).isZero();
      assertThat(cli.stdout()).contains("items: 200 read from " + dir.resolve("books.csv") + ", 1 tagged");
      Path stored = ItemOptions.besideModel(model);
      ItemCatalog back = ItemCatalog.read(stored);
      assertThat(back.size()).isEqualTo(200);
      assertThat(back.get("3").tags()).containsExactly("space", "classic");
      assertThat(back.get("3").numbers()).containsEntry("year", 1903.0);
      assertThat(back.get("3").categories().get("genre")).containsExactly("SF", "Drama");

      assertThat(cli.run("recommend", "--model", model.toString(), "--user", "1", "--k", "3", "--json")).isZero();
      JsonNode json = Json.MAPPER.readTree(cli.stdout());
      assertThat(json.path("titles_from").asText()).isEqualTo(stored.toString());
      for (JsonNode item : json.path("items")) {
        assertThat(item.path("title").asText()).isEqualTo("Book " + item.path("item").asText());
      }
    }
  }

  @Test
  void evaluateRecordsTheCatalogueAndBadItemFilesNameFileLineAndField() throws IOException {
    Path ratings = CliHarness.ratingsCsv(Files.createDirectory(dir.resolve("data")), 4_000);
    Path out = dir.resolve("e.json");
    Path books = books();
    try (CliHarness cli = new CliHarness()) {
      assertThat(cli.run("evaluate", "--data", ratings.toString(), "--implicit", "--model", "pop",
          "--protocol", "user-temporal", "--items", books.toString(), "--item-delimiter", ";", "--item-id-col", "sku",
          "--json", out.toString())).isZero();
      JsonNode meta = Json.MAPPER.readTree(out.toFile()).path("data").path("item_metadata");
      assertThat(meta.path("items").asInt()).isEqualTo(200);
      long inCatalogue = Files.readAllLines(ratings).stream().skip(1).map(l -> l.split(",")[1]).distinct()
          .filter(id -> Integer.parseInt(id) < 200).count();
      assertThat(meta.path("data_items_described").asLong()).isPositive().isEqualTo(inCatalogue);

      Path broken = Files.writeString(dir.resolve("broken.csv"), "sku;name;year\n1;A;1999\n2;B;soon\n");
      assertThat(cli.run("evaluate", "--data", ratings.toString(), "--implicit", "--model", "pop",
          "--items", broken.toString(), "--item-delimiter", ";", "--item-id-col", "sku", "--item-numeric-cols", "year"))
          .isEqualTo(Main.USER_ERROR);
      assertThat(cli.stderr()).contains(broken + ":3: field 'year': not a number: 'soon'");

      assertThat(cli.run("train", "--data", ratings.toString(), "--model", "pop", "--out", dir.resolve("x.pmdl").toString(),
          "--items", dir.resolve("missing.csv").toString())).isEqualTo(Main.USER_ERROR);
      assertThat(cli.stderr()).contains("--items: " + dir.resolve("missing.csv") + ": no such file or folder");
      assertThat(Files.exists(dir.resolve("x.pmdl"))).isFalse();
    }
  }

  @Test
  void simulateRecordsTheCatalogueInItsReport() throws IOException {
    Path ratings = CliHarness.ratingsCsv(Files.createDirectory(dir.resolve("data")), 3_000);
    Path report = dir.resolve("sim");
    try (CliHarness cli = new CliHarness()) {
      assertThat(cli.run("simulate", "--data", ratings.toString(), "--model", "pop", "--strategies", "static",
          "--report", report.toString(), "--items", books().toString(), "--item-delimiter", ";", "--item-id-col", "sku"))
          .isZero();
      JsonNode meta = Json.MAPPER.readTree(report.resolve("report.json").toFile()).path("data").path("item_metadata");
      assertThat(meta.path("items").asInt()).isEqualTo(200);
      assertThat(meta.path("data_items_described").asInt()).isPositive();
    }
  }
}
