package io.perennial.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.store.Checkpoint;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code perennial recommend}: top-K for a user (or items similar to an item) from a checkpoint. */
@Command(name = "recommend", mixinStandardHelpOptions = true,
    description = "Recommend items for a user, or list items similar to an item, from a saved model.")
final class RecommendCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "Checkpoint written by 'train'.")
  Path model;

  @Option(names = "--user", paramLabel = "ID", description = "External user id.")
  String user;

  @Option(names = "--similar-to", paramLabel = "ITEM", description = "External item id: list similar items instead.")
  String similarTo;

  @Option(names = "--k", defaultValue = "10", paramLabel = "K", description = "How many. Default: ${DEFAULT-VALUE}.")
  int k;

  @Option(names = "--include-seen", description = "Also recommend items the user already interacted with.")
  boolean includeSeen;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Override
  public Integer call() {
    if ((user == null) == (similarTo == null)) {
      throw new UserException("give exactly one of --user and --similar-to");
    }
    if (k < 1) {
      throw new UserException("--k must be at least 1, got " + k);
    }
    Checkpoint checkpoint = Checkpoint.read(model);
    Recommender recommender;
    try {
      recommender = Algorithms.restore(checkpoint.state());
    } catch (IllegalArgumentException e) {
      throw new UserException(model + ": " + e.getMessage());
    }
    Recommendations recs;
    String note;
    if (user != null) {
      int u = checkpoint.users().indexOf(user);
      recs = recommender.recommend(u, k, !includeSeen, null);
      note = u < 0 ? "unknown user '" + user + "': popularity fallback" : recs.fallback() ? "no history: popularity fallback" : "";
    } else {
      int i = checkpoint.items().indexOf(similarTo);
      if (i < 0) {
        throw new UserException("unknown item '" + similarTo + "' (not in " + model + ")");
      }
      recs = recommender.similarItems(i, k);
      note = "";
    }
    PrintStream out = System.out;
    if (json) {
      ObjectNode root = Json.object();
      root.put(user != null ? "user" : "item", user != null ? user : similarTo);
      root.put("model_type", recommender.type());
      root.put("fallback", recs.fallback());
      var items = root.putArray("items");
      for (int r = 0; r < recs.size(); r++) {
        ObjectNode item = items.addObject();
        item.put("item", checkpoint.items().idOf(recs.ids()[r]));
        Json.putNumber(item, "score", recs.scores()[r]);
      }
      out.println(root.toPrettyString());
    } else {
      if (!note.isEmpty()) {
        out.println("# " + note);
      }
      out.printf("%-5s %-20s %10s%n", "rank", "item", "score");
      for (int r = 0; r < recs.size(); r++) {
        out.printf(Locale.ROOT, "%-5d %-20s %10.4f%n", r + 1, checkpoint.items().idOf(recs.ids()[r]), recs.scores()[r]);
      }
    }
    return 0;
  }
}
