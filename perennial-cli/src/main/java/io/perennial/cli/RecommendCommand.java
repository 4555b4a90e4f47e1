package io.perennial.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.DataFormatException;
import io.perennial.data.ItemCatalog;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.store.Checkpoint;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code perennial recommend}: top-K for a user (or items similar to an item) from a checkpoint,
 * with titles when item metadata is at hand ({@code --items}, the items stored beside the model, or
 * the movies file beside the model's training data).
 */
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

  @Option(names = "--items", paramLabel = "FILE",
      description = "Item titles: an item metadata file (movies.csv, u.item, movies.dat, an items .jsonl) or a "
          + "MovieLens folder. Default: the items 'train --items' stored with the model (MODEL.items.jsonl), "
          + "else the movies file beside the model's training data, when there is one.")
  Path items;

  /** Movies files looked for beside the training data, in the order ItemCatalog.read prefers them in a folder. */
  private static final List<String> MOVIES_FILES = List.of("movies.csv", "u.item", "movies.dat");

  /** Widest title column in the table; longer titles are cut (JSON keeps them whole). */
  private static final int TITLE_WIDTH = 50;

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
    Titles titles = titles(checkpoint);
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
      if (user == null) {
        root.put("title", titles.of(similarTo));
      }
      root.put("model_type", recommender.type());
      root.put("fallback", recs.fallback());
      root.put("titles_from", titles.source() == null ? null : titles.source().toString());
      var list = root.putArray("items");
      for (int r = 0; r < recs.size(); r++) {
        String id = checkpoint.items().idOf(recs.ids()[r]);
        ObjectNode item = list.addObject();
        item.put("item", id);
        item.put("title", titles.of(id));
        Json.putNumber(item, "score", recs.scores()[r]);
      }
      out.println(root.toPrettyString());
    } else {
      if (!note.isEmpty()) {
        out.println("# " + note);
      }
      if (titles.source() != null) {
        String query = similarTo == null || titles.of(similarTo) == null ? "" : "; " + similarTo + " is " + printable(titles.of(similarTo));
        out.println("# titles from " + titles.source() + query);
      }
      int width = 0;
      if (titles.source() != null) {
        width = "title".length();
        for (int r = 0; r < recs.size(); r++) {
          String title = titles.of(checkpoint.items().idOf(recs.ids()[r]));
          width = Math.max(width, Math.min(TITLE_WIDTH, title == null ? 0 : title.length()));
        }
      }
      out.println(row("rank", "item", width == 0 ? null : "title", width, "score"));
      for (int r = 0; r < recs.size(); r++) {
        String id = checkpoint.items().idOf(recs.ids()[r]);
        String title = titles.of(id);
        String cell = width == 0 ? null : title == null ? "-" : cut(printable(title), TITLE_WIDTH);
        out.println(row(String.valueOf(r + 1), id, cell, width, String.format(Locale.ROOT, "%.4f", recs.scores()[r])));
      }
    }
    return 0;
  }

  /** Titles by external item id, and the file they came from ({@code null}: none at hand). */
  private record Titles(ItemCatalog catalog, Path source) {
    String of(String id) {
      return catalog == null ? null : catalog.title(id);
    }
  }

  /**
   * {@code --items} when given (a bad file is the user's mistake); otherwise the movies file beside
   * the training data the model's provenance names, if there is one and it reads (else a warning).
   */
  private Titles titles(Checkpoint checkpoint) {
    if (items != null) {
      if (!Files.exists(items)) {
        throw new UserException("--items: " + items + ": no such file or folder");
      }
      return new Titles(ItemCatalog.read(items), items);
    }
    Path stored = ItemOptions.besideModel(model);
    if (Files.isRegularFile(stored)) {
      try {
        return new Titles(ItemCatalog.read(stored), stored);
      } catch (DataFormatException e) {
        System.err.println("perennial: warning: the items stored with the model are unreadable: " + e.getMessage());
      }
    }
    Path beside = moviesBeside(checkpoint.provenance() == null ? null : checkpoint.provenance().dataSource());
    if (beside == null) {
      return new Titles(null, null);
    }
    try {
      return new Titles(ItemCatalog.read(beside), beside);
    } catch (DataFormatException e) {
      System.err.println("perennial: warning: no titles: " + e.getMessage());
      return new Titles(null, null);
    }
  }

  /** The MovieLens movies file in the training data's folder (or the folder it names), or null. */
  private static Path moviesBeside(String dataSource) {
    if (dataSource == null || dataSource.isEmpty()) {
      return null;
    }
    Path data;
    try {
      data = Path.of(dataSource);
    } catch (InvalidPathException e) {
      return null; // a generator or the event store, not a file
    }
    Path folder = Files.isDirectory(data) ? data : Files.exists(data) ? data.toAbsolutePath().getParent() : null;
    if (folder == null) {
      return null;
    }
    for (String name : MOVIES_FILES) {
      if (Files.isRegularFile(folder.resolve(name))) {
        return folder.resolve(name);
      }
    }
    return null;
  }

  /** One table line: the title column only when titles are at hand ({@code title} non-null). */
  private static String row(String rank, String item, String title, int titleWidth, String score) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-5s %-20s", rank, item));
    if (title != null) {
      line.append(String.format(Locale.ROOT, " %-" + titleWidth + "s", title));
    }
    return line.append(String.format(Locale.ROOT, " %10s", score)).toString();
  }

  /** The title with control characters shown as '?', so metadata cannot drive the terminal. */
  private static String printable(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    text.codePoints().forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return sb.toString();
  }

  private static String cut(String text, int width) {
    return text.length() <= width ? text : text.substring(0, width - 1) + "…";
  }
}
