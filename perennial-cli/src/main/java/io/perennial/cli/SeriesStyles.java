package io.perennial.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Series looks for report charts. Each series gets its own colour and marker by its position, so a
 * strategy looks the same in every chart of a report; series whose values coincide are found, so
 * the legend can say so rather than one line silently hiding another.
 */
final class SeriesStyles {

  /** Values this close count as the same point: a strategy that reproduces another bit for bit. */
  static final double COINCIDENCE_TOLERANCE = 1e-9;

  // Okabe–Ito (distinguishable with the common colour-vision deficiencies), yellow last because it
  // is faint on white, then two more.
  private static final Color[] COLORS = {
      new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xD55E00),
      new Color(0xCC79A7), new Color(0x56B4E9), new Color(0x000000), new Color(0x8C564B),
      new Color(0x777777), new Color(0xF0E442)};

  private static final Marker[] MARKERS = {
      SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND, SeriesMarkers.TRIANGLE_UP,
      SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS, SeriesMarkers.PLUS, SeriesMarkers.TRAPEZOID,
      SeriesMarkers.OVAL, SeriesMarkers.RECTANGLE};

  /** A line drawn under identical ones: wide, so its colour shows around the lines drawn over it. */
  static final BasicStroke UNDERLAY = new BasicStroke(6f);

  /** A line drawn over an identical one: thin and dashed, so the one beneath stays visible. */
  static final BasicStroke OVERLAY =
      new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f);

  private SeriesStyles() {}

  /** The colour of the series at {@code index}: distinct for every index. */
  static Color color(int index) {
    if (index < COLORS.length) {
      return COLORS[index];
    }
    // Past the palette, golden-ratio steps round the hue circle keep new colours apart.
    float hue = (float) ((index - COLORS.length) * 0.6180339887 % 1.0);
    return Color.getHSBColor(hue, 0.75f, 0.7f);
  }

  /** The marker of the series at {@code index}: distinct for the first ten, then repeating. */
  static Marker marker(int index) {
    return MARKERS[index % MARKERS.length];
  }

  /**
   * Groups series whose values are equal within {@link #COINCIDENCE_TOLERANCE} at every point (NaN
   * matching NaN). Returns only the groups of two or more, each in the input order.
   */
  static List<List<String>> coinciding(Map<String, double[]> series) {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> candidate : series.entrySet()) {
      String joined = null;
      for (String first : groups.keySet()) {
        if (same(series.get(first), candidate.getValue())) {
          joined = first;
          break;
        }
      }
      if (joined == null) {
        groups.put(candidate.getKey(), new ArrayList<>(List.of(candidate.getKey())));
      } else {
        groups.get(joined).add(candidate.getKey());
      }
    }
    List<List<String>> result = new ArrayList<>();
    for (List<String> group : groups.values()) {
      if (group.size() > 1) {
        result.add(List.copyOf(group));
      }
    }
    return result;
  }

  /**
   * Legend labels for series that may coincide: the first of each group reads {@code "online =
   * gated (identical)"}, the others {@code "gated (= online)"}; series in no group keep their name.
   */
  static Map<String, String> legendLabels(List<String> names, List<List<String>> groups) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String name : names) {
      labels.put(name, name);
    }
    for (List<String> group : groups) {
      labels.put(group.get(0), String.join(" = ", group) + " (identical)");
      for (String other : group.subList(1, group.size())) {
        labels.put(other, other + " (= " + group.get(0) + ")");
      }
    }
    return labels;
  }

  /** One sentence naming the coinciding groups, for the text under a chart; empty when none. */
  static String coincidenceNote(List<List<String>> groups) {
    if (groups.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (List<String> group : groups) {
      parts.add(String.join(" = ", group));
    }
    return "Identical series (drawn on top of each other, the later ones dashed): " + String.join("; ", parts) + ".";
  }

  private static boolean same(double[] a, double[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      boolean bothNaN = Double.isNaN(a[i]) && Double.isNaN(b[i]);
      if (!bothNaN && !(Math.abs(a[i] - b[i]) <= COINCIDENCE_TOLERANCE)) {
        return false;
      }
    }
    return true;
  }
}
