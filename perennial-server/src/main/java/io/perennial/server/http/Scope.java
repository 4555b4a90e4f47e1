package io.perennial.server.http;

import io.javalin.security.RouteRole;
import java.util.Locale;

/** What an API key may do; {@code admin} implies the others. Also the role a route requires. */
public enum Scope implements RouteRole {
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
