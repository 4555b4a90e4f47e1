package io.perennial.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is known about one item besides its interactions: a title, free-text fields (a
 * description, a plot), categorical fields (genres, a brand: each a list of values), numeric fields
 * (a year, a price) and tags. Every part may be empty; the maps keep their field order.
 *
 * @param id the external item id (the same id the interactions use)
 * @param title the title, or {@code null}
 * @param text free-text fields by name
 * @param categories categorical fields by name, each a list of values
 * @param numbers numeric fields by name, each finite
 * @param tags free-form tags, distinct, in first-seen order
 */
public record ItemMetadata(
    String id, String title, Map<String, String> text, Map<String, List<String>> categories,
    Map<String, Double> numbers, List<String> tags) {

  /** Longest field name (a text, categorical or numeric field). */
  public static final int MAX_FIELD_NAME = 64;
  /** Longest title or text field, in UTF-16 characters. */
  public static final int MAX_TEXT_LENGTH = 10_000;
  /** Longest single categorical value or tag. */
  public static final int MAX_VALUE_LENGTH = 256;
  /** Most values in one categorical field, and most tags. */
  public static final int MAX_VALUES = 1_000;
  /** Most fields of each kind. */
  public static final int MAX_FIELDS = 100;

  /** Copies the maps and lists, unmodifiable and in their given order; a blank title is none. */
  public ItemMetadata {
    if (id == null) {
      throw new IllegalArgumentException("an item needs an id");
    }
    title = title == null || title.isBlank() ? null : title;
    text = Collections.unmodifiableMap(new LinkedHashMap<>(text == null ? Map.of() : text));
    LinkedHashMap<String, List<String>> cats = new LinkedHashMap<>();
    if (categories != null) {
      categories.forEach((k, v) -> cats.put(k, List.copyOf(v)));
    }
    categories = Collections.unmodifiableMap(cats);
    numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers == null ? Map.of() : numbers));
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  /** An item known by its title and genres only (MovieLens). */
  public static ItemMetadata titled(String id, String title, List<String> genres) {
    return new ItemMetadata(id, title, Map.of(), genres.isEmpty() ? Map.of() : Map.of("genres", genres), Map.of(), List.of());
  }

  /** The {@code genres} categorical field, or an empty list. */
  public List<String> genres() {
    return categories.getOrDefault("genres", List.of());
  }

  /** This item with {@code more} tags appended (those it already has are not repeated). */
  public ItemMetadata withTags(List<String> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<String> merged = new ArrayList<>(tags);
    for (String t : more) {
      if (!merged.contains(t)) {
        merged.add(t);
      }
    }
    return new ItemMetadata(id, title, text, categories, numbers, merged);
  }

  /** An item with nothing but tags (tags for an item the catalogue did not list). */
  static ItemMetadata tagsOnly(String id, List<String> tags) {
    return new ItemMetadata(id, null, Map.of(), Map.of(), Map.of(), tags);
  }
}
