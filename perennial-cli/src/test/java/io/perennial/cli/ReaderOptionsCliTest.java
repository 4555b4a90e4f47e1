package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.Interaction;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader options end to end: headerless and whitespace-separated files through {@code datasets
 * info}, {@code train}, {@code evaluate} and {@code simulate}, what the read summary says, and the
 * one-line errors for options that do not fit.
 */
class ReaderOptionsCliTest {

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

  private static List<Interaction> events(int n) {
    List<Interaction> events = new ArrayList<>();
    new SyntheticGenerator(SyntheticConfig.defaults().withEvents(n).withRatings(true).withSize(300, 200))
        .forEachRemaining(events::add);
    return events;
  }

  /** Like ml-100k's u.data: tab-separated user, item, rating, timestamp, and no header. */
  private Path headerlessTabFile(int n) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Interaction e : events(n)) {
      sb.append(e.user() + 1).append('\t').append(e.item() + 1).append('\t').append(Math.round(e.value()))
          .append('\t').append(e.timestamp()).append('\n');
    }
    Path file = dir.resolve("ratings.tsv");
    Files.writeString(file, sb);
    return file;
  }

  /** Like a SASRec input: {@code user item} per line, space-separated, no header, no timestamps. */
  private Path userItemFile(int n) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Interaction e : events(n)) {
      sb.append(e.user() + 1).append(' ').append(e.item() + 1).append('\n');
    }
    Path file = dir.resolve("sequences.txt");
    Files.writeString(file, sb);
    return file;
  }

  @Test
  void headerlessTabFileKeepsEveryRowInInfoAndTrain() throws IOException {
    Path file = headerlessTabFile(2_000);
    assertThat(cli.run("datasets", "info", file.toString(), "--format", "tsv")).isZero();
    assertThat(cli.stdout()).contains("2000 rows, 2000 accepted, 0 invalid; no header (detected)")
        .contains("interactions  2,000");
    Path model = dir.resolve("m.pmdl");
    assertThat(cli.run("train", "--data", file.toString(), "--format", "tsv", "--user-col", "0", "--item-col", "1",
        "--value-col", "2", "--time-col", "3", "--duplicates", "keep-all", "--model", "pop", "--out", model.toString())).isZero();
    assertThat(cli.stdout()).contains("read " + file + ": 2000 rows, 2000 accepted, 0 invalid; no header (detected)");
    // Told there is a header, the first row goes, and the summary says it was told.
    assertThat(cli.run("datasets", "info", file.toString(), "--format", "tsv", "--header",
        "--user-col", "0", "--item-col", "1", "--time-col", "3")).isZero();
    assertThat(cli.stdout()).contains("1999 rows, 1999 accepted, 0 invalid; header: as told");
  }

  @Test
  void benchReadsTheSameLayouts() throws IOException {
    Path file = userItemFile(3_000);
    Path json = dir.resolve("bench.json");
    assertThat(cli.run("bench", "train", "--data", file.toString(), "--format", "tsv", "--delimiter", "whitespace",
        "--factors", "8", "--iterations", "1", "--json", json.toString())).as(cli.stderr()).isZero();
    assertThat(Files.readString(json)).contains(file.toString());
  }

  @Test
  void whitespaceUserItemFileEvaluatesAndSimulatesInFileOrder() throws IOException {
    Path file = userItemFile(3_000);
    assertThat(cli.run("datasets", "info", file.toString(), "--format", "tsv", "--delimiter", "whitespace")).isZero();
    assertThat(cli.stdout()).contains("3000 rows, 3000 accepted")
        .contains("no timestamps: file order stands in for time")
        .contains("time span     none: no timestamps");
    assertThat(cli.run("evaluate", "--data", file.toString(), "--format", "tsv", "--delimiter", "whitespace",
        "--duplicates", "keep-all", "--model", "pop", "--protocol", "user-temporal")).isZero();
    assertThat(cli.stdout())
        .contains("read " + file + ": 3000 rows, 3000 accepted, 0 invalid; no header (detected); no timestamps")
        .contains("note: no timestamps in the data, so time order is file order: each user's first 80 % of rows in the file train")
        .contains("ndcg@10");
    assertThat(cli.run("evaluate", "--data", file.toString(), "--format", "csv", "--delimiter", " ",
        "--model", "pop", "--protocol", "temporal", "--train-fraction", "0.7")).isZero();
    assertThat(cli.stdout()).contains("the first 70 % of the rows in the file train");
    assertThat(cli.run("simulate", "--data", file.toString(), "--format", "tsv", "--delimiter", "whitespace",
        "--model", "pop", "--strategies", "static", "--report", dir.resolve("sim").toString())).isZero();
    assertThat(cli.stdout()).contains("3000 rows, 3000 accepted")
        .contains("note: no timestamps in the data, so the stream is replayed in file order");
  }

  @Test
  void timestampedDataGetsNoFileOrderNotice() throws IOException {
    Path file = headerlessTabFile(2_000);
    assertThat(cli.run("evaluate", "--data", file.toString(), "--format", "tsv", "--model", "pop")).isZero();
    assertThat(cli.stdout()).contains("no header (detected)").doesNotContain("file order");
  }

  @Test
  void implicitThresholdImpliesImplicitAndSaysSo() throws IOException {
    Path file = CliHarness.ratingsCsv(dir, 2_000);
    assertThat(cli.run("train", "--data", file.toString(), "--implicit-threshold", "4", "--model", "pop",
        "--out", dir.resolve("m.pmdl").toString())).isZero();
    assertThat(cli.stdout()).contains("note: --implicit-threshold implies --implicit").contains("below implicit threshold");
  }

  @Test
  void optionsThatDoNotFitAreOneLineErrors() throws IOException {
    Path file = headerlessTabFile(200);
    assertThat(cli.run("datasets", "info", file.toString(), "--format", "ml100k", "--delimiter", ",")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr().strip()).isEqualTo("perennial: error: --delimiter applies to --format csv or tsv; ml100k files have a fixed layout");
    assertThat(cli.run("datasets", "info", file.toString(), "--format", "tsv", "--delimiter", "::")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr().strip()).startsWith("perennial: error: --delimiter: unknown delimiter '::'").doesNotContain("\n");
    assertThat(cli.run("train", "--data", file.toString(), "--format", "jsonl", "--no-header", "--model", "pop",
        "--out", dir.resolve("m.pmdl").toString())).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr()).contains("JSON Lines has no header line");
    assertThat(cli.run("simulate", "--synthetic", "--no-header", "--report", dir.resolve("s").toString())).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr()).contains("apply to --data, not --synthetic");
    Path text = dir.resolve("names.csv");
    Files.writeString(text, "alice,apple\nbob,pear\ncarol,fig\n");
    assertThat(cli.run("datasets", "info", text.toString(), "--format", "csv")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr().strip()).contains(text + ":1: cannot tell whether line 1 [alice, apple] is a header").doesNotContain("\n");
    assertThat(cli.run("datasets", "info", text.toString(), "--format", "csv", "--no-header")).isZero();
    assertThat(cli.stdout()).contains("3 rows, 3 accepted, 0 invalid; no header (as told)");
  }

  @Test
  void idsWithEscapeCodesAreRefusedNotPrinted() throws IOException {
    Path file = dir.resolve("events.csv");
    Files.writeString(file, "user,item\nu1,i1\nu2,\"\u001b[31mred\"\n", StandardCharsets.UTF_8);
    assertThat(cli.run("train", "--data", file.toString(), "--format", "csv", "--model", "pop",
        "--out", dir.resolve("m.pmdl").toString())).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr().strip())
        .isEqualTo("perennial: error: " + file + ":3: field 'item': id contains a control character (U+001B at character 1)")
        .doesNotContain("\u001b");
    assertThat(Files.exists(dir.resolve("m.pmdl"))).isFalse();
    assertThat(cli.run("train", "--data", file.toString(), "--format", "csv", "--on-error", "skip", "--model", "pop",
        "--out", dir.resolve("m.pmdl").toString())).isZero();
    assertThat(cli.stdout()).contains("2 rows, 1 accepted, 1 invalid");
  }

  @Test
  void fetchOfflineSaysWhatFailed() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    assertThat(cli.run("datasets", "fetch", "ml-100k", "--cache", dir.resolve("cache").toString(),
        "--base-url", "http://127.0.0.1:" + closedPort + "/")).isEqualTo(Main.USER_ERROR);
    assertThat(cli.stderr().strip())
        .startsWith("perennial: error: cannot fetch ml-100k: cannot connect to 127.0.0.1:" + closedPort)
        .doesNotContain("null");
  }
}
