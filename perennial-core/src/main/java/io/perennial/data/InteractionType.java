package io.perennial.data;

import java.util.Locale;

/** What kind of behaviour an interaction records. */
public enum InteractionType {
  VIEW,
  CLICK,
  ADD_TO_CART,
  PURCHASE,
  RATING,
  LIKE,
  SHARE;

  /** Lower-case wire name, e.g. {@code "add_to_cart"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a wire name (case-insensitive, {@code -} and {@code _} interchangeable).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static InteractionType parse(String text) {
    String key = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (InteractionType t : values()) {
      if (t.name().equals(key)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown interaction type " + DataFormatException.quote(text) + " (expected one of view, click, add_to_cart, "
            + "purchase, rating, like, share)");
  }
}
