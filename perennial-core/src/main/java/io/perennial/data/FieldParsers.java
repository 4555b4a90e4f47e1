package io.perennial.data;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Shared field parsing for all readers (and the Spark job, so both accept the same cells); failures
 * become {@link DataFormatException}s naming file, line and field.
 */
public final class FieldParsers {
  private FieldParsers() {}

  /**
   * An id without surrounding spaces and tabs that obeys {@code Ids.problem}. Only spaces and tabs
   * are trimmed ({@link String#trim} would also drop control characters at the ends unseen).
   */
  public static String id(String raw, String file, long line, String field) {
    if (raw == null) {
      throw new DataFormatException(file, line, field, "missing");
    }
    int start = 0;
    int end = raw.length();
    while (start < end && (raw.charAt(start) == ' ' || raw.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (raw.charAt(end - 1) == ' ' || raw.charAt(end - 1) == '\t')) {
      end--;
    }
    String id = raw.substring(start, end);
    String problem = Ids.problem(id);
    if (problem != null) {
      throw new DataFormatException(file, line, field, problem);
    }
    return id;
  }

  public static float value(String raw, String file, long line, String field) {
    if (raw == null || raw.isBlank()) {
      throw new DataFormatException(file, line, field, "missing value");
    }
    float v;
    try {
      v = Float.parseFloat(raw.trim());
    } catch (NumberFormatException e) {
      throw new DataFormatException(file, line, field, "not a number: " + DataFormatException.quote(raw));
    }
    if (!Float.isFinite(v)) {
      throw new DataFormatException(file, line, field, "not finite: " + DataFormatException.quote(raw));
    }
    return v;
  }

  /** Epoch seconds, epoch milliseconds (13+ digits), an ISO-8601 instant or a date. */
  public static long timestamp(String raw, String file, long line, String field) {
    if (raw == null || raw.isBlank()) {
      throw new DataFormatException(file, line, field, "missing timestamp");
    }
    String s = raw.trim();
    try {
      if (s.chars().allMatch(c -> c >= '0' && c <= '9' || c == '-') && s.indexOf('-', 1) < 0) {
        long t = Long.parseLong(s);
        return s.length() >= 13 ? t / 1000 : t;
      }
      if (s.length() == 10 && s.charAt(4) == '-') {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
      }
      return Instant.parse(s).getEpochSecond();
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new DataFormatException(
          file, line, field, "not a timestamp (epoch seconds or ISO-8601): " + DataFormatException.quote(s));
    }
  }

  public static InteractionType type(String raw, String file, long line, String field) {
    try {
      return InteractionType.parse(raw == null ? "" : raw);
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(file, line, field, e.getMessage());
    }
  }
}
