package io.perennial.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.DataFormatException;
import io.perennial.data.Dataset;
import io.perennial.data.Delimiter;
import io.perennial.data.ErrorPolicy;
import io.perennial.data.IdIndex;
import io.perennial.data.ItemCatalog;
import io.perennial.data.ItemColumns;
import io.perennial.data.ItemFormat;
import io.perennial.data.ItemReadOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * Item metadata for a command: {@code --items FILE} (MovieLens movies file or folder, or a generic
 * CSV, TSV or JSON Lines file with a column mapping) and {@code --tags FILE}. Every command that
 * takes items mixes these in ({@code train}, {@code evaluate}, {@code simulate}, {@code serve}), so
 * each reads the same file the same way and reports it in the same words.
 */
final class ItemOptions {

  @Option(names = "--items", paramLabel = "FILE",
      description = "Item metadata: a MovieLens movies.csv, u.item or movies.dat (or a MovieLens folder, which "
          + "brings its tags.csv), or a csv/tsv/jsonl file mapped with the --item-* options.")
  Path items;

  @Option(names = "--tags", paramLabel = "FILE",
      description = "Tags to add to the items: MovieLens tags.csv (userId,movieId,tag,timestamp) or any file whose "
          + "header names an item column and a 'tag' column.")
  Path tags;

  @Option(names = "--item-format", defaultValue = "auto", paramLabel = "FORMAT",
      description = "auto (from the name), movielens, ml100k, ml1m, csv, tsv, jsonl. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--item-id-col", paramLabel = "COL", description = "Item id column (default: id, item, item_id, movieId, product_id or sku).")
  String idColumn;

  @Option(names = "--item-title-col", paramLabel = "COL", description = "Title column (default: title or name).")
  String titleColumn;

  @Option(names = "--item-text-cols", split = ",", paramLabel = "COLS", description = "Free-text columns (descriptions), comma-separated.")
  List<String> textColumns;

  @Option(names = "--item-category-cols", split = ",", paramLabel = "COLS", description = "Categorical columns (genres, brand), comma-separated.")
  List<String> categoryColumns;

  @Option(names = "--item-numeric-cols", split = ",", paramLabel = "COLS", description = "Numeric columns (year, price), comma-separated.")
  List<String> numericColumns;

  @Option(names = "--item-tag-cols", split = ",", paramLabel = "COLS", description = "Tag columns, comma-separated.")
  List<String> tagColumns;

  @Option(names = "--item-separator", defaultValue = "|", paramLabel = "SEP",
      description = "Separates the values of a categorical or tag cell. Default: ${DEFAULT-VALUE}.")
  String separator;

  @Option(names = "--item-delimiter", paramLabel = "SEP",
      description = "Field separator of a csv/tsv items file (as --delimiter). Default: comma for csv, tab for tsv.")
  String delimiter;

  /** Whether {@code --items} or {@code --tags} was given. */
  boolean given() {
    return items != null || tags != null;
  }

  /**
   * The catalogue {@code --items} and {@code --tags} name, or {@code null} when neither was given;
   * a one-line summary goes to {@code say}.
   *
   * @param policy what to do with bad lines (the command's {@code --on-error})
   */
  ItemCatalog load(ErrorPolicy policy, Consumer<String> say) {
    if (!given()) {
      return null;
    }
    ItemCatalog catalog;
    try {
      if (items != null) {
        if (!Files.exists(items)) {
          throw new UserException("--items: " + items + ": no such file or folder");
        }
        catalog = ItemCatalog.read(items, readOptions(policy));
      } else {
        catalog = ItemCatalog.empty();
      }
      if (tags != null) {
        if (!Files.isRegularFile(tags)) {
          throw new UserException("--tags: " + tags + ": no such file");
        }
        catalog = catalog.withTags(tags, policy);
      }
    } catch (DataFormatException e) {
      throw new UserException(e.getMessage());
    }
    say.accept("items: " + summary(catalog));
    return catalog;
  }

  private ItemReadOptions readOptions(ErrorPolicy policy) {
    ItemFormat itemFormat;
    ItemColumns columns;
    Delimiter sep = null;
    try {
      itemFormat = ItemFormat.parse(format);
      columns = new ItemColumns(idColumn, titleColumn, textColumns, categoryColumns, numericColumns, tagColumns, separator);
      if (delimiter != null) {
        sep = Delimiter.parse(delimiter);
      }
    } catch (IllegalArgumentException e) {
      throw new UserException("--items: " + e.getMessage());
    }
    boolean mapped = idColumn != null || titleColumn != null || textColumns != null || categoryColumns != null
        || numericColumns != null || tagColumns != null;
    ItemFormat effective = itemFormat == ItemFormat.AUTO && !Files.isDirectory(items) ? ItemCatalog.formatOf(items) : itemFormat;
    if (mapped && effective != ItemFormat.CSV && effective != ItemFormat.TSV && effective != ItemFormat.JSONL) {
      throw new UserException("--item-*-col options apply to csv, tsv or jsonl item files; "
          + items + " is read as " + (Files.isDirectory(items) ? "a MovieLens folder" : effective.cliName())
          + ", whose columns are fixed (give --item-format csv to map it)");
    }
    return new ItemReadOptions(itemFormat, columns, sep, null, policy);
  }

  /** e.g. {@code 9742 from movies.csv, 1572 tagged (tags.csv)}, with the lines skipped if any. */
  private String summary(ItemCatalog catalog) {
    StringBuilder sb = new StringBuilder();
    sb.append(catalog.size()).append(" read");
    if (items != null) {
      sb.append(" from ").append(items);
    }
    sb.append(", ").append(catalog.taggedCount()).append(" tagged");
    if (tags != null) {
      sb.append(" (tags from ").append(tags).append(')');
    }
    if (catalog.skipped() > 0) {
      sb.append(String.format(Locale.ROOT, "; %d invalid lines skipped, e.g. %s", catalog.skipped(), catalog.problems().get(0)));
    }
    return sb.toString();
  }

  /**
   * The catalogue as a results JSON records it: its sources, its size and how many of the data's
   * items it describes.
   */
  ObjectNode json(ItemCatalog catalog, IdIndex dataItems) {
    ObjectNode o = Json.object();
    o.put("file", items == null ? null : items.toString());
    o.put("tags_file", tags == null ? null : tags.toString());
    o.put("items", catalog.size());
    o.put("tagged", catalog.taggedCount());
    o.put("skipped_lines", catalog.skipped());
    if (dataItems != null) {
      int covered = 0;
      for (int i = 0; i < dataItems.size(); i++) {
        if (catalog.get(dataItems.idOf(i)) != null) {
          covered++;
        }
      }
      o.put("data_items", dataItems.size());
      o.put("data_items_described", covered);
    }
    return o;
  }

  /** The same, for a dataset. */
  ObjectNode json(ItemCatalog catalog, Dataset data) {
    return json(catalog, data.items());
  }

  /**
   * When the metadata files were last changed (the later of {@code --items} and {@code --tags}),
   * epoch milliseconds: the version time of items loaded from them.
   */
  long sourceTime() {
    long t = 0;
    for (Path p : new Path[] {items, tags}) {
      if (p != null) {
        try {
          t = Math.max(t, Files.getLastModifiedTime(p).toMillis());
        } catch (java.io.IOException e) {
          throw new UserException(p + ": cannot read its modification time: " + e.getMessage());
        }
      }
    }
    return t;
  }

  /** Where a model's item text vectors are stored beside it: {@code model.pmdl.items.pemb}. */
  static Path embeddingsBesideModel(Path model) {
    return model.resolveSibling(model.getFileName() + ".items.pemb");
  }

  /** Where a model's item catalogue is stored beside it: {@code model.pmdl.items.jsonl}. */
  static Path besideModel(Path model) {
    return model.resolveSibling(model.getFileName() + ".items.jsonl");
  }
}
