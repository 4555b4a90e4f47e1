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

  public DataFormatException(Path file, long line, String field, String problem) {
    this(file == null ? "<input>" : file.toString(), line, field, problem);
  }

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

  public String file() {
    return file;
  }

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
