package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** The simulate report's charts: every strategy recognisable, coinciding strategies said so. */
class SimulationReportTest {

  private static final List<String> STRATEGIES = List.of("static", "full", "incremental", "online", "hybrid", "gated");

  @TempDir Path dir;

  /** Six strategies; gated reproduces online exactly (a gate that never rejects), the rest differ. */
  private static ObjectNode report() {
    ObjectNode report = Json.object();
    report.put("model", "bpr");
    report.putObject("settings").put("k", 10).put("warmupFraction", 0.2);
    report.putObject("data").put("source", "synthetic").put("events", 1000);
    ObjectNode strategies = report.putObject("strategies");
    for (int s = 0; s < STRATEGIES.size(); s++) {
      String name = STRATEGIES.get(s);
      int look = name.equals("gated") ? STRATEGIES.indexOf("online") : s;
      ObjectNode node = strategies.putObject(name);
      node.put("hr@10", 0.1 + 0.01 * look).put("ndcg@10", 0.05).put("update_cpu_s", look).put("update_wall_s", look);
      ObjectNode slices = node.putObject("slices");
      for (String key : List.of("hr@10", "update_cpu_s", "probe_auc")) {
        var array = slices.putArray(key);
        for (int i = 0; i < 5; i++) {
          array.add(0.1 * look + 0.02 * i);
        }
      }
    }
    return report;
  }

  @Test
  void aSliceWithoutAValueIsAGapNotAZero() throws IOException {
    ObjectNode report = report();
    var hr = (com.fasterxml.jackson.databind.node.ArrayNode) report.path("strategies").path("online").path("slices")
        .path("hr@10");
    hr.set(2, Json.MAPPER.getNodeFactory().numberNode(Double.NaN));
    // written and read back as simulate's results.json is
    ObjectNode reread = (ObjectNode) Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(report));
    assertThat(reread.path("strategies").path("online").path("slices").path("hr@10").get(2).isNull()).isTrue();
    XYChart chart = (XYChart) SimulationReport.series(reread, "hr@10", "HR@10", "HR@10").chart();
    XYSeries online = chart.getSeriesMap().get("online");
    assertThat(online.getYData()[2]).isNaN();
    assertThat(online.getYData()[1]).isCloseTo(0.1 * 3 + 0.02, org.assertj.core.api.Assertions.within(1e-9));
  }

  @Test
  void everyStrategyHasItsOwnColourAndMarkerAndIdenticalLinesAreNamed() {
    XYChart chart = (XYChart) SimulationReport.series(report(), "hr@10", "HR@10", "HR@10").chart();
    Map<String, XYSeries> series = chart.getSeriesMap();
    assertThat(series).hasSize(6);
    assertThat(series.values()).extracting(XYSeries::getLineColor).doesNotContainNull().doesNotHaveDuplicates();
    assertThat(series.values()).extracting(XYSeries::getMarker).doesNotContainNull().doesNotHaveDuplicates();
    assertThat(series.keySet()).containsExactly("static", "full", "incremental", "online = gated (identical)",
        "hybrid", "gated (= online)");
    // The line beneath is wider than the one drawn over it, so both stay visible.
    assertThat(series.get("online = gated (identical)").getLineStyle().getLineWidth())
        .isGreaterThan(series.get("gated (= online)").getLineStyle().getLineWidth());
    assertThat(SimulationReport.series(report(), "hr@10", "HR@10", "HR@10").note()).contains("online = gated");
  }

  @Test
  void aStrategyLooksTheSameInEveryChart() {
    ObjectNode report = report();
    XYChart line = (XYChart) SimulationReport.series(report, "update_cpu_s", "CPU", "s").chart();
    XYChart scatter = (XYChart) SimulationReport.costScatter(report, "hr@10", "10").chart();
    assertThat(scatter.getSeriesMap().values()).extracting(XYSeries::getMarkerColor)
        .containsExactlyElementsOf(line.getSeriesMap().values().stream().map(XYSeries::getMarkerColor).toList());
    assertThat(scatter.getSeriesMap().values()).extracting(XYSeries::getMarker).doesNotHaveDuplicates();
    assertThat(scatter.getSeriesMap()).containsKey("online = gated (identical)");
  }

  @Test
  void seriesThatDifferByMoreThanTheToleranceAreNotGrouped() {
    var groups = SeriesStyles.coinciding(Map.of("a", new double[] {0.5, Double.NaN}));
    assertThat(groups).isEmpty();
    var values = new java.util.LinkedHashMap<String, double[]>();
    values.put("a", new double[] {0.5, Double.NaN, 1});
    values.put("b", new double[] {0.5 + 1e-12, Double.NaN, 1});
    values.put("c", new double[] {0.5 + 1e-6, Double.NaN, 1});
    values.put("d", new double[] {0.5, Double.NaN});
    assertThat(SeriesStyles.coinciding(values)).containsExactly(List.of("a", "b"));
  }

  @Test
  void theHtmlReportSaysWhichLinesCoincide() throws IOException {
    Path file = dir.resolve("report.html");
    SimulationReport.write(file, report());
    assertThat(Files.readString(file)).contains("<p class=\"note\">Identical series")
        .contains("online = gated");
  }
}
