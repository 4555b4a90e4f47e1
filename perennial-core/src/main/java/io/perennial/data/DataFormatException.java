package io.perennial.data;

import java.nio.file.Path;

/**
 * Malformed input. The message names the file, the line (1-based) and the field, so that a user can
 * go straight to the problem: {@code ratings.csv:17: field 'rating': not a number: 'x'}.
 */
public final class DataFormatException extends RuntimeException {

  private final String file;
  private final long line;
  private final String field;
  private final String problem;

  /** A problem at {@code line} (0: the whole file) of {@code file}, in {@code field} (may be null). */
  public DataFormatException(Path file, long line, String field, String problem) {
    this(file == null ? "<input>" : file.toString(), line, field, problem);
  }

  /** As {@link #DataFormatException(Path, long, String, String)}, the file named by a string. */
  public DataFormatException(String file, long line, String field, String problem) {
    super(format(file, line, field, problem));
    this.file = file;
    this.line = line;
    this.field = field;
    this.problem = problem;
  }

  private static String format(String file, long line, String field, String problem) {
    StringBuilder sb = new StringBuilder(file);
    if (line > 0) {
      sb.append(':').append(line);
    }
    sb.append(": ");
    if (field != null) {
      sb.append("field '").append(field).append("': ");
    }
    return sb.append(problem).toString();
  }

  /** Longest piece of input an error message repeats; longer input is cut. */
  public static final int MAX_QUOTED = 100;

  /**
   * Input as an error message should repeat it: in single quotes, control characters written as
   * escapes (so a message cannot drive the terminal), and cut to {@value #MAX_QUOTED} characters
   * with the full length stated, so a 5 MB line does not become a 5 MB message.
   */
  public static String quote(String input) {
    return "'" + excerpt(input) + "'";
  }

  /** {@link #quote} without the quotes, for text that is not a single value (a header, a parser message). */
  public static String excerpt(String input) {
    if (input == null) {
      return "null";
    }
    int shown = Math.min(input.length(), MAX_QUOTED);
    StringBuilder sb = new StringBuilder(shown + 24);
    for (int i = 0; i < shown; i++) {
      char c = input.charAt(i);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    if (input.length() > shown) {
      sb.append("... (").append(input.length()).append(" chars)");
    }
    return sb.toString();
  }

  /** The file as given to the reader, or {@code <input>}. */
  public String file() {
    return file;
  }

  /** 1-based line of the problem, or 0 when it concerns the whole file. */
  public long line() {
    return line;
  }

  /** The offending field, or {@code null} when the whole line is wrong. */
  public String field() {
    return field;
  }

  /** The problem without the location prefix. */
  public String problem() {
    return problem;
  }
}
