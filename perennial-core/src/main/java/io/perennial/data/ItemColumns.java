package io.perennial.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Which columns (header names or 0-based indices; member names in JSON Lines) hold each part of
 * an {@link ItemMetadata} in a generic item file. A field left {@code null} is found through common
 * header names: the id under {@code id}, {@code item}, {@code item_id}, {@code itemId}, {@code
 * movieId}, {@code product_id} or {@code sku}; the title under {@code title} or {@code name}. The
 * other lists are taken as given. A categorical or tag cell holds several values separated by
 * {@code separator} (JSON Lines may give an array instead).
 *
 * @param id the id column
 * @param title the title column
 * @param text free-text columns
 * @param categorical categorical columns
 * @param numeric numeric columns
 * @param tags tag columns
 * @param separator what separates the values of a categorical or tag cell
 */
public record ItemColumns(
    String id, String title, List<String> text, List<String> categorical, List<String> numeric, List<String> tags,
    String separator) {

  static final List<String> ID_NAMES = List.of("id", "item", "item_id", "itemid", "movieid", "product_id", "sku");
  static final List<String> TITLE_NAMES = List.of("title", "name");

  /** Copies the lists; refuses an empty separator and a column named twice. */
  public ItemColumns {
    text = text == null ? List.of() : List.copyOf(text);
    categorical = categorical == null ? List.of() : List.copyOf(categorical);
    numeric = numeric == null ? List.of() : List.copyOf(numeric);
    tags = tags == null ? List.of() : List.copyOf(tags);
    separator = separator == null ? "|" : separator;
    if (separator.isEmpty()) {
      throw new IllegalArgumentException("the value separator of categorical and tag columns must not be empty");
    }
    List<String> seen = new ArrayList<>();
    for (String column : all(id, title, text, categorical, numeric, tags)) {
      if (column.isBlank()) {
        throw new IllegalArgumentException("an item column name must not be blank");
      }
      if (seen.stream().anyMatch(column::equalsIgnoreCase)) {
        throw new IllegalArgumentException("item column " + DataFormatException.quote(column) + " is mapped twice");
      }
      seen.add(column);
    }
  }

  /** Id and title found by their usual header names, nothing else. */
  public static ItemColumns defaults() {
    return new ItemColumns(null, null, List.of(), List.of(), List.of(), List.of(), "|");
  }

  private static List<String> all(String id, String title, List<String> text, List<String> categorical,
      List<String> numeric, List<String> tags) {
    List<String> out = new ArrayList<>();
    if (id != null) {
      out.add(id);
    }
    if (title != null) {
      out.add(title);
    }
    out.addAll(text);
    out.addAll(categorical);
    out.addAll(numeric);
    out.addAll(tags);
    return out;
  }
}
