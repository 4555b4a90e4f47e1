package io.perennial.data;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which column (by header name or by 0-based position) holds each field. A {@code null} column is
 * looked up through common header aliases; when the header has none, {@code user} and {@code item}
 * are an error, value defaults to 1, the timestamp to the row's position in the file and the type to
 * {@code defaultType}.
 */
public record ColumnMapping(
    String user, String item, String value, String timestamp, String type, InteractionType defaultType) {

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

  /**
   * Resolves names against a header, accepting common aliases when a column is left to the
   * default: {@code user|userId|user_id}, {@code item|itemId|item_id|movieId|product_id}, {@code
   * value|rating|weight|score}, {@code timestamp|ts|time|event_time}, {@code type|event|event_type}.
   *
   * @return positions (or -1 when absent) in the order user, item, value, timestamp, type
   */
  int[] resolve(List<String> header, String file) {
    int[] positions = new int[5];
    positions[0] = find(header, user, file, "user", true, "user", "userid", "user_id");
    positions[1] =
        find(header, item, file, "item", true, "item", "itemid", "item_id", "movieid", "product_id");
    positions[2] = find(header, value, file, "value", false, "value", "rating", "weight", "score");
    positions[3] =
        find(header, timestamp, file, "timestamp", false, "timestamp", "ts", "time", "event_time");
    positions[4] = find(header, type, file, "type", false, "type", "event", "event_type");
    return positions;
  }

  private static int find(
      List<String> header, String wanted, String file, String role, boolean required, String... aliases) {
    if (wanted != null) {
      if (wanted.chars().allMatch(Character::isDigit) && !wanted.isEmpty()) {
        return Integer.parseInt(wanted);
      }
      if (header != null) {
        for (int i = 0; i < header.size(); i++) {
          if (header.get(i).trim().equalsIgnoreCase(wanted)) {
            return i;
          }
        }
      }
      throw new DataFormatException(
          file, 1, role, "no column named '" + wanted + "' in header " + header);
    }
    if (header != null) {
      for (int i = 0; i < header.size(); i++) {
        String h = header.get(i).trim().toLowerCase(Locale.ROOT);
        for (String alias : aliases) {
          if (h.equals(alias)) {
            return i;
          }
        }
      }
    }
    if (required) {
      throw new DataFormatException(
          file, 1, role, "no " + role + " column (header " + header + "; name it with a column mapping)");
    }
    return -1;
  }
}
