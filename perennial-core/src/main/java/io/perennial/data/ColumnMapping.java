package io.perennial.data;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which column (by header name or by 0-based position) holds each field. A {@code null} column is
 * looked up through common header aliases; in a file without a header it takes its default
 * position (user 0, item 1, value 2, timestamp 3) when the first row has that column and no other
 * field was mapped to it. A value that is absent defaults to 1, a timestamp to the row's position
 * in the file and a type to {@code defaultType}; a missing user or item is an error.
 */
public record ColumnMapping(
    String user, String item, String value, String timestamp, String type, InteractionType defaultType) {

  /** Field names in resolution order, as errors name them. */
  static final List<String> ROLES = List.of("user", "item", "value", "timestamp", "type");

  private static final List<List<String>> ALIASES = List.of(
      List.of("user", "userid", "user_id"),
      List.of("item", "itemid", "item_id", "movieid", "product_id"),
      List.of("value", "rating", "weight", "score"),
      List.of("timestamp", "ts", "time", "event_time"),
      List.of("type", "event", "event_type"));

  /** Where each field sits in a file without a header unless mapped (the type has no default). */
  private static final int[] DEFAULT_POSITIONS = {0, 1, 2, 3, -1};

  /** Validates the default type. */
  public ColumnMapping {
    Objects.requireNonNull(defaultType, "defaultType");
  }

  /** Every column found through its header aliases. */
  public static ColumnMapping byHeader(InteractionType defaultType) {
    return new ColumnMapping(null, null, null, null, null, defaultType);
  }

  /** Columns by position: 0 user, 1 item, 2 value, 3 timestamp. */
  public static ColumnMapping positional(InteractionType type) {
    return new ColumnMapping("0", "1", "2", "3", null, type);
  }

  /** The mapped columns in {@link #ROLES} order; {@code null} where left to the default. */
  List<String> wanted() {
    return java.util.Arrays.asList(user, item, value, timestamp, type);
  }

  static boolean isIndex(String column) {
    return column != null && !column.isEmpty() && column.length() <= 6 && column.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /** Whether some field is mapped by a name, which only a header can resolve. */
  boolean needsHeaderNames() {
    return wanted().stream().anyMatch(c -> c != null && !isIndex(c));
  }

  /**
   * Whether {@code cell} is a name this mapping looks for: a mapped column name, or an alias of a
   * field left to the default.
   */
  boolean isColumnName(String cell) {
    String h = cell.trim().toLowerCase(Locale.ROOT);
    List<String> wanted = wanted();
    for (int r = 0; r < ROLES.size(); r++) {
      String w = wanted.get(r);
      if (w == null ? ALIASES.get(r).contains(h) : !isIndex(w) && w.trim().equalsIgnoreCase(h)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Positions without a header, for rows of {@code width} fields: mapped indices, then the default
   * positions still free; -1 where a field has none. Named columns get -1.
   */
  int[] headerlessPositions(int width) {
    List<String> wanted = wanted();
    int[] positions = new int[ROLES.size()];
    boolean[] taken = new boolean[Math.max(width, 4)];
    for (int r = 0; r < positions.length; r++) {
      String w = wanted.get(r);
      positions[r] = isIndex(w) ? Integer.parseInt(w) : -1;
      if (positions[r] >= 0 && positions[r] < taken.length) {
        taken[positions[r]] = true;
      }
    }
    for (int r = 0; r < positions.length; r++) {
      int p = DEFAULT_POSITIONS[r];
      if (wanted.get(r) == null && p >= 0 && p < width && !taken[p]) {
        positions[r] = p;
        taken[p] = true;
      }
    }
    return positions;
  }

  /**
   * Resolves the columns against a header, or without one ({@code header == null}) by position for
   * rows of {@code width} fields, the header or first row being on {@code line}, accepting common aliases when a column is left to the default:
   * {@code user|userId|user_id}, {@code item|itemId|item_id|movieId|product_id}, {@code
   * value|rating|weight|score}, {@code timestamp|ts|time|event_time}, {@code type|event|event_type}.
   *
   * @return positions (or -1 when absent) in the order user, item, value, timestamp, type
   */
  int[] resolve(List<String> header, int width, String file, long line) {
    if (header == null) {
      return resolveHeaderless(width, file, line);
    }
    List<String> wanted = wanted();
    int[] positions = new int[ROLES.size()];
    for (int r = 0; r < positions.length; r++) {
      positions[r] = find(header, wanted.get(r), file, line, ROLES.get(r), r < 2, ALIASES.get(r));
    }
    return positions;
  }

  private int[] resolveHeaderless(int width, String file, long line) {
    List<String> wanted = wanted();
    for (int r = 0; r < ROLES.size(); r++) {
      String w = wanted.get(r);
      if (w != null && !isIndex(w)) {
        throw new DataFormatException(file, line, ROLES.get(r), "the first row is data, not a header, so column "
            + DataFormatException.quote(w) + " cannot be found by name; give its 0-based index");
      }
    }
    int[] positions = headerlessPositions(width);
    for (int r = 0; r < 2; r++) {
      if (positions[r] < 0) {
        throw new DataFormatException(file, line, ROLES.get(r), "no " + ROLES.get(r) + " column: the file has no header "
            + "and its first row has " + width + (width == 1 ? " field" : " fields") + " (map it by 0-based index)");
      }
    }
    return positions;
  }

  private static int find(
      List<String> header, String wanted, String file, long line, String role, boolean required, List<String> aliases) {
    if (wanted != null) {
      if (isIndex(wanted)) {
        return Integer.parseInt(wanted);
      }
      for (int i = 0; i < header.size(); i++) {
        if (header.get(i).trim().equalsIgnoreCase(wanted.trim())) {
          return i;
        }
      }
      throw new DataFormatException(file, line, role,
          "no column named " + DataFormatException.quote(wanted) + " in header " + DataFormatException.excerpt(header.toString()));
    }
    for (int i = 0; i < header.size(); i++) {
      if (aliases.contains(header.get(i).trim().toLowerCase(Locale.ROOT))) {
        return i;
      }
    }
    if (required) {
      throw new DataFormatException(file, line, role, "no " + role + " column (header "
          + DataFormatException.excerpt(header.toString()) + "; name it with a column mapping)");
    }
    return -1;
  }
}
