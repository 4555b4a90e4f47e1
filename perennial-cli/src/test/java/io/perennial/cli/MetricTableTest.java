package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console table of {@code evaluate} (and {@code quickstart}) keeps one column order for every model. */
class MetricTableTest {

  @TempDir Path dir;

  @Test
  void columnOrderDoesNotDependOnWhichModelComesFirst() throws IOException {
    Path data = CliHarness.ratingsCsv(dir, 4_000);
    try (CliHarness cli = new CliHarness()) {
      assertThat(cli.run("evaluate", "--data", data.toString(), "--model", "pop,mf", "--protocol", "user-temporal"))
          .isZero();
      List<String> popFirst = table(cli.stdout());
      assertThat(cli.run("evaluate", "--data", data.toString(), "--model", "mf,pop", "--protocol", "user-temporal"))
          .isZero();
      List<String> mfFirst = table(cli.stdout());

      assertThat(popFirst.get(0)).isEqualTo(mfFirst.get(0));
      List<String> header = Arrays.asList(popFirst.get(0).trim().split("\\s+"));
      assertThat(header).startsWith("model", "rmse", "mae", "precision@10", "recall@10", "f1@10", "ndcg@10",
          "hr@10", "mrr", "map@10");
      assertThat(header).endsWith("coverage@10", "train", "s");
      // pop has no rating errors: its row shows gaps under rmse and mae instead of shifting left.
      String popRow = popFirst.stream().filter(l -> l.startsWith("pop ")).findFirst().orElseThrow();
      assertThat(popRow.trim().split("\\s+")).startsWith("pop", "-", "-");
    }
  }

  @Test
  void unknownMetricsFollowTheKnownOnesAndCutOffsAscend() {
    var a = Json.object();
    a.putObject("metrics").put("zeta", 1).put("ndcg@20", 1).put("ndcg@5", 1).put("coverage@5", 1);
    var b = Json.object();
    b.putObject("metrics").put("rmse", 1).put("alpha", 1).put("precision@5", 1);
    assertThat(Evaluations.metricColumns(List.of(a, b)))
        .containsExactly("rmse", "precision@5", "ndcg@5", "ndcg@20", "coverage@5", "alpha", "zeta");
  }

  /** The lines from the table header to the first line after it that is not a model row. */
  private static List<String> table(String stdout) {
    List<String> lines = stdout.lines().toList();
    int start = 0;
    while (!lines.get(start).startsWith("model ")) {
      start++;
    }
    return lines.subList(start, start + 3);
  }
}
