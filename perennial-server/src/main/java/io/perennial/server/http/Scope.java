package io.perennial.server.http;

import java.util.Locale;

/** What an API key may do; {@code admin} implies the others. */
public enum Scope {
  READ,
  INGEST,
  ADMIN;

  /** True when a key with this scope may use a route that needs {@code needed}. */
  public boolean allows(Scope needed) {
    return this == ADMIN || this == needed;
  }

  static Scope parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown API key scope '" + text + "' (expected read, ingest or admin)");
    }
  }
}
