package io.perennial.cli;

import io.perennial.server.search.AnnSearch;
import io.perennial.server.search.TopKSearch;

/** Top-K search by name for {@code --search}. */
final class Searches {
  private Searches() {}

  /** The search {@code name}; a graph proposes {@code rerankCandidates} per request (0 = the model's default). */
  static TopKSearch forName(String name, int rerankCandidates) {
    AnnSearch.Settings ann = AnnSearch.Settings.defaults().withRerankCandidates(rerankCandidates);
    return switch (name) {
      case "exact" -> TopKSearch.exact();
      case "auto" -> new AnnSearch(ann);
      case "ann" -> new AnnSearch(ann.withExactBelow(0));
      default -> throw new UserException("--search: expected auto, ann or exact, got '" + name + "'");
    };
  }
}
