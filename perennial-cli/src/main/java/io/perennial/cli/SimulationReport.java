package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * The simulate report: per-strategy table and charts of HR@K over stream time, cumulative update
 * CPU, accuracy against cost, the forgetting probe and table sizes. Self-contained HTML.
 */
final class SimulationReport {

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private SimulationReport() {}

  static void write(Path file, JsonNode report) {
    String k = report.path("settings").path("k").asText("10");
    String hr = "hr@" + k;
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Perennial simulation</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
        .append("th:first-child,td:first-child{text-align:left}img{max-width:100%;margin:1em 0}li{font-family:monospace;font-size:90%}p.note{color:#555;margin-top:0}")
        .append("</style></head><body><h1>Perennial simulation: ").append(HtmlReport.escape(report.path("model").asText()))
        .append("</h1><p>Stream: ").append(HtmlReport.escape(report.path("data").path("source").asText()))
        .append(" — ").append(report.path("data").path("events").asLong()).append(" events. Test-then-learn after a warm-up of ")
        .append(Math.round(report.path("settings").path("warmupFraction").asDouble() * 100))
        .append("%: each event whose user was seen before is first checked against the live model's top-")
        .append(k).append(" (excluding the user's items so far), then learned.</p>");
    html.append("<table><tr><th>strategy</th><th>HR@").append(k).append("</th><th>NDCG@").append(k)
        .append("</th><th>first training CPU s</th><th>update CPU s</th><th>update wall s</th><th>accepted</th><th>rejected</th><th>forgetting drop</th><th>users</th><th>items</th></tr>");
    for (Iterator<Map.Entry<String, JsonNode>> it = report.path("strategies").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode s = e.getValue();
      html.append("<tr><td>").append(HtmlReport.escape(e.getKey())).append("</td>")
          .append(cell(s.path(hr).asDouble(), "%.4f")).append(cell(s.path("ndcg@" + k).asDouble(), "%.4f"))
          .append(cell(s.path("initial_training_cpu_s").asDouble(), "%.2f"))
          .append(cell(s.path("update_cpu_s").asDouble(), "%.2f")).append(cell(s.path("update_wall_s").asDouble(), "%.2f"))
          .append("<td>").append(s.path("updates_accepted").asLong()).append("</td><td>")
          .append(s.path("updates_rejected").asLong()).append("</td>")
          .append(cell(s.path("forgetting_drop").asDouble(), "%+.3f"))
          .append("<td>").append(s.path("table_users").asLong()).append("</td><td>").append(s.path("table_items").asLong())
          .append("</td></tr>");
    }
    html.append("</table>");
    html.append(figure(series(report, hr, "HR@" + k + " per slice of the stream", "HR@" + k)));
    html.append(figure(series(report, "update_cpu_s", "Cumulative update CPU", "CPU seconds")));
    html.append(figure(costScatter(report, hr, k)));
    html.append(figure(series(report, "probe_auc", "Forgetting probe: AUC on earlier interactions", "AUC")));
    html.append(image(tableSizes(report)));
    html.append("<h2>Rejected updates</h2><ul>");
    int shown = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = report.path("strategies").fields(); it.hasNext(); ) {
      for (JsonNode r : it.next().getValue().path("rejections")) {
        if (shown++ < 50) {
          html.append("<li>").append(HtmlReport.escape(r.asText())).append("</li>");
        }
      }
    }
    if (shown == 0) {
      html.append("<li>none</li>");
    }
    html.append("</ul></body></html>\n");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, html, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static String cell(double v, String format) {
    return "<td>" + (Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "–") + "</td>";
  }

  /** A chart and the sentence printed under it (empty when there is nothing to add). */
  record Figure(Chart<?, ?> chart, String note) {}

  /**
   * One line per strategy of the per-slice array {@code key}. Every strategy has its own colour and
   * marker; strategies whose lines coincide are named together in the legend and the note, and drawn
   * so the first stays visible under the others.
   */
  static Figure series(JsonNode report, String key, String title, String yTitle) {
    XYChart chart = new XYChartBuilder().width(900).height(380).title(title).xAxisTitle("slice of the tested stream")
        .yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    List<String> names = strategyNames(report);
    Map<String, double[]> values = new LinkedHashMap<>();
    for (String name : names) {
      JsonNode array = report.path("strategies").path(name).path("slices").path(key);
      if (array.size() > 0) {
        double[] y = new double[array.size()];
        for (int i = 0; i < y.length; i++) {
          y[i] = array.get(i).isNumber() ? array.get(i).asDouble() : Double.NaN; // null: a gap, not a zero
        }
        values.put(name, y);
      }
    }
    List<List<String>> groups = SeriesStyles.coinciding(values);
    Map<String, String> labels = SeriesStyles.legendLabels(names, groups);
    for (int s = 0; s < names.size(); s++) {
      double[] y = values.get(names.get(s));
      if (y == null) {
        continue;
      }
      double[] x = new double[y.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = i + 1;
      }
      XYSeries series = chart.addSeries(labels.get(names.get(s)), x, y);
      series.setLineColor(SeriesStyles.color(s));
      series.setMarkerColor(SeriesStyles.color(s));
      series.setMarker(SeriesStyles.marker(s));
      for (List<String> group : groups) {
        int position = group.indexOf(names.get(s));
        if (position == 0) {
          series.setLineStyle(SeriesStyles.UNDERLAY);
        } else if (position > 0) {
          series.setLineStyle(SeriesStyles.OVERLAY);
        }
      }
    }
    return new Figure(chart, SeriesStyles.coincidenceNote(groups));
  }

  /** One point per strategy (update CPU, HR), in the strategy's colour and marker. */
  static Figure costScatter(JsonNode report, String hr, String k) {
    XYChart chart = new XYChartBuilder().width(900).height(380).title("Accuracy against update cost")
        .xAxisTitle("update CPU seconds").yAxisTitle("HR@" + k).build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(12);
    chart.getStyler().setXAxisDecimalPattern("0.0");
    chart.getStyler().setYAxisDecimalPattern("0.000");
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    List<String> names = strategyNames(report);
    Map<String, double[]> points = new LinkedHashMap<>();
    for (String name : names) {
      JsonNode s = report.path("strategies").path(name);
      points.put(name, new double[] {s.path("update_cpu_s").asDouble(), s.path(hr).asDouble()});
    }
    List<List<String>> groups = SeriesStyles.coinciding(points);
    Map<String, String> labels = SeriesStyles.legendLabels(names, groups);
    for (int s = 0; s < names.size(); s++) {
      double[] point = points.get(names.get(s));
      XYSeries series = chart.addSeries(labels.get(names.get(s)), new double[] {point[0]}, new double[] {point[1]});
      series.setMarkerColor(SeriesStyles.color(s));
      series.setLineColor(SeriesStyles.color(s));
      series.setMarker(SeriesStyles.marker(s));
    }
    return new Figure(chart, SeriesStyles.coincidenceNote(groups));
  }

  private static List<String> strategyNames(JsonNode report) {
    List<String> names = new ArrayList<>();
    report.path("strategies").fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static CategoryChart tableSizes(JsonNode report) {
    CategoryChart chart = new CategoryChartBuilder().width(900).height(320).title("Table sizes at the end of the stream")
        .xAxisTitle("strategy").yAxisTitle("rows").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    List<String> names = new ArrayList<>();
    List<Double> users = new ArrayList<>();
    List<Double> items = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = report.path("strategies").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      names.add(e.getKey());
      users.add(e.getValue().path("table_users").asDouble());
      items.add(e.getValue().path("table_items").asDouble());
    }
    chart.addSeries("users", names, users);
    chart.addSeries("items", names, items);
    return chart;
  }

  private static String figure(Figure figure) {
    String image = image(figure.chart());
    return figure.note().isEmpty() ? image : image + "<p class=\"note\">" + HtmlReport.escape(figure.note()) + "</p>";
  }

  private static String image(Chart<?, ?> chart) {
    try {
      byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
      return "<img alt=\"" + HtmlReport.escape(chart.getTitle()) + "\" src=\"data:image/png;base64,"
          + Base64.getEncoder().encodeToString(png) + "\">";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render chart", e);
    }
  }
}
