package io.perennial.data;

/**
 * The rule every user and item id obeys, wherever it comes from (files, the HTTP API): 1 to {@value
 * #MAX_LENGTH} characters, not blank, no control characters (a newline would misalign
 * line-per-id exports such as {@code item_ids.txt}, an escape code would drive the terminal that
 * prints a recommendation) and no broken UTF-16 (a lone surrogate cannot be written as UTF-8).
 */
public final class Ids {

  /** Longest id accepted, in UTF-16 characters. */
  public static final int MAX_LENGTH = 256;

  private Ids() {}

  /**
   * What is wrong with {@code id}, or {@code null} when it is a valid id. The text reads after a
   * field name, e.g. {@code field 'item': id contains a control character (U+000A at character 4)}.
   */
  public static String problem(String id) {
    if (id == null || id.isBlank()) {
      return "empty id";
    }
    if (id.length() > MAX_LENGTH) {
      return "id longer than " + MAX_LENGTH + " characters (" + id.length() + ")";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c)) {
        return String.format(java.util.Locale.ROOT,
            "id contains a control character (U+%04X at character %d)", (int) c, i + 1);
      }
      if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "id contains broken unicode (a lone surrogate at character " + (i + 1) + ")";
      }
    }
    return null;
  }
}
