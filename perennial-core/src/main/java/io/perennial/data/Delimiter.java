package io.perennial.data;

import java.util.Locale;

/**
 * What separates the fields of a delimited file: one character (a comma, a tab, {@code ;}…), a
 * fixed string (MovieLens 1M's {@code ::}), or {@linkplain #WHITESPACE runs of spaces and tabs} (a
 * SASRec-style {@code user item} file).
 */
public final class Delimiter {

  /** {@code ,} */
  public static final Delimiter COMMA = new Delimiter(",", "comma");
  /** A tab. */
  public static final Delimiter TAB = new Delimiter("\t", "tab");
  /** Any run of spaces and tabs; leading and trailing ones are ignored. */
  public static final Delimiter WHITESPACE = new Delimiter(null, "whitespace");

  private final String separator;
  private final String name;

  private Delimiter(String separator, String name) {
    this.separator = separator;
    this.name = name;
  }

  /** Fields separated by exactly {@code separator} (one or more characters). */
  public static Delimiter of(String separator) {
    if (separator == null || separator.isEmpty()) {
      throw new IllegalArgumentException("a delimiter must not be empty");
    }
    return switch (separator) {
      case "," -> COMMA;
      case "\t" -> TAB;
      default -> new Delimiter(separator, "'" + separator + "'");
    };
  }

  /**
   * Parses a user's choice: any single character, or one of the names {@code tab}, {@code
   * whitespace} (runs of spaces and tabs), {@code space}, {@code comma}, {@code semicolon}, {@code
   * pipe}; {@code \t} is a tab too.
   *
   * @throws IllegalArgumentException naming what is accepted
   */
  public static Delimiter parse(String text) {
    if (text != null && text.length() == 1) {
      return of(text);
    }
    String key = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    return switch (key) {
      case "tab", "\\t" -> TAB;
      case "whitespace", "ws" -> WHITESPACE;
      case "space" -> of(" ");
      case "comma" -> COMMA;
      case "semicolon" -> of(";");
      case "pipe" -> of("|");
      default -> throw new IllegalArgumentException("unknown delimiter " + DataFormatException.quote(text)
          + " (expected a single character, tab, whitespace, space, comma, semicolon or pipe)");
    };
  }

  /** Whether fields are separated by runs of whitespace. */
  public boolean isWhitespace() {
    return separator == null;
  }

  /** The exact separator, or {@code null} for {@link #WHITESPACE}. */
  public String separator() {
    return separator;
  }

  /** How the delimiter reads in a message: {@code comma}, {@code tab}, {@code whitespace}, {@code ';'}. */
  @Override
  public String toString() {
    return name;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Delimiter d && java.util.Objects.equals(separator, d.separator);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hashCode(separator);
  }
}
