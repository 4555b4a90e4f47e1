package io.perennial.cli;

import io.perennial.server.http.TopKSearch;

/** Top-K search by name for {@code --search}. */
final class Searches {
  private Searches() {}

  static TopKSearch forName(String name) {
    return switch (name) {
      case "exact" -> TopKSearch.exact();
      default -> throw new UserException("--search: only 'exact' is available in this build, got '" + name + "'");
    };
  }
}
