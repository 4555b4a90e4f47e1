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
    html.append(learningCurve(results, "ndcg@" + k));
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

  /**
   * The learning curve of {@code evaluate --train-sample F1,F2,…}: {@code metric} against the
   * training sample, one line per model (a pretrained and a from-scratch line when both ran), as an
   * inline SVG (log-scaled x axis, so 5 % and 10 % do not crowd together). Empty when the results
   * hold fewer than two samples.
   */
  static String learningCurve(List<JsonNode> results, String metric) {
    java.util.Map<String, java.util.TreeMap<Double, Double>> series = new java.util.LinkedHashMap<>();
    java.util.TreeSet<Double> fractions = new java.util.TreeSet<>();
    for (JsonNode r : results) {
      JsonNode f = r.path("protocol").path("train_sample");
      JsonNode v = r.path("metrics").path(metric);
      if (!f.isNumber() || !v.isNumber()) {
        continue;
      }
      String label = r.path("model").asText();
      int at = label.lastIndexOf('@');
      String name = at > 0 ? label.substring(0, at) : label;
      series.computeIfAbsent(name, n -> new java.util.TreeMap<>()).put(f.asDouble(), v.asDouble());
      fractions.add(f.asDouble());
    }
    if (fractions.size() < 2) {
      return "";
    }
    double top = 0;
    for (java.util.TreeMap<Double, Double> line : series.values()) {
      for (double y : line.values()) {
        top = Math.max(top, y);
      }
    }
    top = top <= 0 ? 1 : niceCeiling(top * 1.05);
    int width = 760;
    int height = 400;
    int left = 70;
    int right = 200;
    int topMargin = 40;
    int bottom = 50;
    double lo = Math.log(fractions.first());
    double hi = Math.log(fractions.last());
    double plotW = width - left - right;
    double plotH = height - topMargin - bottom;
    java.util.function.DoubleUnaryOperator x = f -> left + (hi == lo ? 0 : (Math.log(f) - lo) / (hi - lo)) * plotW;
    final double yTop = top;
    java.util.function.DoubleUnaryOperator y = v -> topMargin + plotH - v / yTop * plotH;
    StringBuilder svg = new StringBuilder();
    svg.append("<h2>Learning curve</h2><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(width)
        .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
        .append("\" font-family=\"system-ui,sans-serif\" font-size=\"12\"><title>").append(escape(metric))
        .append(" by training sample</title>");
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\">%s by share of the training data</text>",
        left, escape(metric)));
    for (int t = 0; t <= 4; t++) {
      double v = top * t / 4;
      double py = y.applyAsDouble(v);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>", left, left + plotW, py, py, left - 6, py + 4, v));
    }
    for (double f : fractions) {
      double px = x.applyAsDouble(f);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
          + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s %%</text>", px, px, topMargin, topMargin + plotH,
          px, topMargin + plotH + 18, new java.math.BigDecimal(f * 100).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString()));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">training sample (log scale)</text>",
        left + plotW / 2, height - 8));
    String[] colours = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
    int s = 0;
    for (java.util.Map.Entry<String, java.util.TreeMap<Double, Double>> line : series.entrySet()) {
      String colour = colours[s % colours.length];
      StringBuilder points = new StringBuilder();
      for (java.util.Map.Entry<Double, Double> p : line.getValue().entrySet()) {
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(p.getKey()), y.applyAsDouble(p.getValue())));
      }
      svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour).append("\" points=\"")
          .append(points.toString().strip()).append("\"/>");
      for (java.util.Map.Entry<Double, Double> p : line.getValue().entrySet()) {
        svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s %s: %.4f</title></circle>",
            x.applyAsDouble(p.getKey()), y.applyAsDouble(p.getValue()), colour, escape(line.getKey()), p.getKey(), p.getValue()));
      }
      double ly = topMargin + 10 + s * 20;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>"
          + "<text x=\"%.1f\" y=\"%.1f\">%s</text>", left + plotW + 15, left + plotW + 35, ly, ly, colour,
          left + plotW + 40, ly + 4, escape(line.getKey())));
      s++;
    }
    svg.append("</svg>");
    return svg.toString();
  }

  /** The smallest of 1, 2, 2.5, 5 × a power of ten at or above {@code v}. */
  private static double niceCeiling(double v) {
    double power = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * power >= v) {
        return m * power;
      }
    }
    return 10 * power;
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
