package io.perennial.cli;

import java.time.Duration;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Durations given on the command line: a number and a unit ({@code 45s}, {@code 30m}, {@code 12h},
 * {@code 90d}, {@code 2w}, {@code 1y}) or ISO-8601 ({@code P90D}, {@code PT12H}, {@code P1Y2M}). A
 * year counts 365 days and a month 30, since the events' times are instants, not calendar dates.
 */
final class Durations {

  private Durations() {}

  private static final long DAY = 86_400L;

  /**
   * {@code text} in whole seconds, which must be positive.
   *
   * @param option the option's name, for the error message
   */
  static long seconds(String option, String text) {
    String s = text == null ? "" : text.trim();
    long seconds;
    try {
      seconds = s.toUpperCase(Locale.ROOT).startsWith("P") ? iso(s.toUpperCase(Locale.ROOT)) : withUnit(s);
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
      throw new UserException(option + ": '" + text + "' is not a duration (expected e.g. 90d, 12h, 1y or ISO-8601 "
          + "P90D, PT12H)");
    }
    if (seconds <= 0) {
      throw new UserException(option + ": the duration must be positive, got '" + text + "'");
    }
    return seconds;
  }

  private static long withUnit(String s) {
    if (s.length() < 2) {
      throw new NumberFormatException(s);
    }
    char unit = Character.toLowerCase(s.charAt(s.length() - 1));
    long count = Long.parseLong(s.substring(0, s.length() - 1));
    long scale = switch (unit) {
      case 's' -> 1;
      case 'm' -> 60;
      case 'h' -> 3_600;
      case 'd' -> DAY;
      case 'w' -> 7 * DAY;
      case 'y' -> 365 * DAY;
      default -> throw new NumberFormatException(s);
    };
    return Math.multiplyExact(count, scale);
  }

  private static long iso(String s) {
    int time = s.indexOf('T');
    String datePart = time < 0 ? s : s.substring(0, time);
    long seconds = 0;
    if (datePart.length() > 1) {
      Period p = Period.parse(datePart);
      seconds = Math.multiplyExact(p.getYears() * 365L + p.getMonths() * 30L + p.getDays(), DAY);
    }
    if (time >= 0) {
      seconds = Math.addExact(seconds, Duration.parse("P" + s.substring(time)).getSeconds());
    } else if (datePart.length() <= 1) {
      throw new NumberFormatException(s);
    }
    return seconds;
  }
}
