package io.perennial.cli;

import io.perennial.server.search.AnnSearch;
import io.perennial.server.search.TopKSearch;

/** Top-K search by name for {@code --search}. */
final class Searches {
  private Searches() {}

  static TopKSearch forName(String name) {
    return switch (name) {
      case "exact" -> TopKSearch.exact();
      case "auto" -> new AnnSearch(AnnSearch.Settings.defaults());
      case "ann" -> new AnnSearch(AnnSearch.Settings.defaults().withExactBelow(0));
      default -> throw new UserException("--search: expected auto, ann or exact, got '" + name + "'");
    };
  }
}
