package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * A self-contained HTML report of evaluation results: a metrics table and charts (XChart, embedded
 * as PNG data URIs so the file opens anywhere without network access).
 */
final class HtmlReport {

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private HtmlReport() {}

  static void write(Path file, String title, List<JsonNode> results) {
    write(file, title, results, "");
  }

  /** As the other, with {@code preface} (HTML, already escaped) between the title and the results. */
  static void write(Path file, String title, List<JsonNode> results, String preface) {
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(escape(title)).append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
        .append("th:first-child,td:first-child{text-align:left}img{max-width:100%;margin:1em 0}")
        .append("</style></head><body><h1>").append(escape(title)).append("</h1>");
    html.append(preface);
    if (!results.isEmpty()) {
      JsonNode first = results.get(0);
      html.append("<p>Data: ").append(escape(first.path("data").path("source").asText()))
          .append(" — ").append(first.path("data").path("users").asLong()).append(" users, ")
          .append(first.path("data").path("items").asLong()).append(" items, ")
          .append(first.path("data").path("interactions").asLong()).append(" interactions. Protocol: ")
          .append(escape(first.path("protocol").toString())).append(".</p>");
    }
    List<String> metricNames = Evaluations.metricColumns(results);
    html.append("<table><tr><th>model</th>");
    for (String m : metricNames) {
      html.append("<th>").append(escape(m)).append("</th>");
    }
    html.append("<th>train s</th></tr>");
    for (JsonNode r : results) {
      html.append("<tr><td>").append(escape(r.path("model").asText())).append("</td>");
      for (String m : metricNames) {
        JsonNode v = r.path("metrics").path(m);
        html.append("<td>").append(v.isNumber() ? String.format(Locale.ROOT, "%.4f", v.asDouble()) : "–").append("</td>");
      }
      html.append("<td>").append(String.format(Locale.ROOT, "%.2f", r.path("timings").path("train_s").asDouble()))
          .append("</td></tr>");
    }
    html.append("</table>");
    String k = results.isEmpty() ? "10" : results.get(0).path("k").asText("10");
    html.append(image(rankingChart(results, List.of("ndcg@" + k, "recall@" + k, "hr@" + k, "precision@" + k, "map@" + k))));
    if (results.stream().anyMatch(r -> r.path("splits").size() > 1)) {
      html.append(image(splitChart(results, "ndcg@" + k)));
    }
    html.append(image(timeChart(results)));
    html.append("</body></html>\n");
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.writeString(file, html, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static CategoryChart rankingChart(List<JsonNode> results, List<String> metrics) {
    CategoryChart chart = new CategoryChartBuilder().width(900).height(420)
        .title("Ranking quality by model").xAxisTitle("metric").yAxisTitle("value").build();
    style(chart);
    for (JsonNode r : results) {
      List<String> names = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (String m : metrics) {
        JsonNode v = r.path("metrics").path(m);
        if (v.isNumber()) {
          names.add(m);
          values.add(v.asDouble());
        }
      }
      if (!names.isEmpty()) {
        chart.addSeries(r.path("model").asText(), names, values);
      }
    }
    return chart;
  }

  private static CategoryChart splitChart(List<JsonNode> results, String metric) {
    CategoryChart chart = new CategoryChartBuilder().width(900).height(380)
        .title(metric + " per split").xAxisTitle("split").yAxisTitle(metric).build();
    style(chart);
    for (JsonNode r : results) {
      List<String> names = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (JsonNode s : r.path("splits")) {
        names.add(s.path("name").asText());
        values.add(s.path("metrics").path(metric).asDouble(0));
      }
      chart.addSeries(r.path("model").asText(), names, values);
    }
    return chart;
  }

  private static CategoryChart timeChart(List<JsonNode> results) {
    CategoryChart chart = new CategoryChartBuilder().width(900).height(320)
        .title("Training time (all splits)").xAxisTitle("model").yAxisTitle("seconds").build();
    style(chart);
    chart.getStyler().setLegendVisible(false);
    List<String> names = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (JsonNode r : results) {
      names.add(r.path("model").asText());
      values.add(r.path("timings").path("train_s").asDouble());
    }
    chart.addSeries("train seconds", names, values);
    return chart;
  }

  private static void style(CategoryChart chart) {
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
  }

  private static String image(Chart<?, ?> chart) {
    try {
      byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
      return "<img alt=\"" + escape(chart.getTitle()) + "\" src=\"data:image/png;base64,"
          + Base64.getEncoder().encodeToString(png) + "\">";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render chart", e);
    }
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
