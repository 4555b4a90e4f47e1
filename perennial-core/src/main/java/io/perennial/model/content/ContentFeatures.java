package io.perennial.model.content;

import io.perennial.data.IdIndex;
import io.perennial.data.ItemMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds {@link ItemFeatures} for a data set's items from their content, by kind:
 *
 * <ul>
 *   <li>{@code genres}: a one-hot over the values of every categorical field (genres, brand);
 *   <li>{@code tfidf}: TF-IDF over title words, the decade of a trailing {@code (year)}, categorical
 *       values, tags (whole and by word) and the words of free-text fields; terms in fewer than 2
 *       items are dropped and the vocabulary keeps the {@code maxTerms} most frequent; each block of
 *       terms (title, decade, each categorical field, tags) is of equal weight;
 *   <li>{@code text}: the precomputed text vectors ({@link TextVectors}, e.g. MiniLM);
 *   <li>{@code tfidf+text}: both, each block of unit length and weighted equally.
 * </ul>
 *
 * Every row is of unit length; an item without metadata has an empty row.
 */
public final class ContentFeatures {

  /** The kinds {@link #build} accepts. */
  public static final List<String> KINDS = List.of("genres", "tfidf", "text", "tfidf+text");

  private static final Pattern TRAILING_YEAR = Pattern.compile("\\((\\d{4})\\)\\s*$");
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
  private static final Set<String> STOP_WORDS = Set.of("the", "a", "an", "of", "and", "in", "on", "to", "for",
      "la", "le", "les", "de", "el", "il", "der", "die", "das", "with", "at", "by", "from", "is");

  private ContentFeatures() {}

  /**
   * The {@code kind} vectors of every item in {@code items} (by dense index).
   *
   * @throws IllegalArgumentException for an unknown kind, or {@code text} without text vectors
   */
  public static ItemFeatures build(String kind, ItemContent content, IdIndex items, int maxTerms) {
    return switch (kind) {
      case "genres" -> terms(content, items, maxTerms, true);
      case "tfidf" -> terms(content, items, maxTerms, false);
      case "text" -> text(content, items);
      case "tfidf+text" -> concat(terms(content, items, maxTerms, false), text(content, items));
      default -> throw new IllegalArgumentException("unknown content features '" + kind + "' (expected one of " + KINDS + ")");
    };
  }

  /** The terms of one item, with counts: the bag TF-IDF weighs. */
  static Map<String, Integer> termsOf(ItemMetadata item, boolean categoriesOnly) {
    Map<String, Integer> bag = new TreeMap<>();
    item.categories().forEach((field, values) -> {
      for (String v : values) {
        bag.merge(field + ":" + v.toLowerCase(Locale.ROOT), 1, Integer::sum);
      }
    });
    if (categoriesOnly) {
      return bag;
    }
    if (item.title() != null) {
      String title = item.title();
      Matcher year = TRAILING_YEAR.matcher(title);
      if (year.find()) {
        bag.merge("decade:" + (Integer.parseInt(year.group(1)) / 10 * 10), 1, Integer::sum);
        title = title.substring(0, year.start());
      }
      words(title, "title:", bag);
    }
    for (String tag : item.tags()) {
      String t = tag.toLowerCase(Locale.ROOT).trim();
      bag.merge("tag:" + t, 1, Integer::sum);
      if (t.indexOf(' ') > 0) {
        words(t, "tagword:", bag);
      }
    }
    item.text().values().forEach(text -> words(text, "text:", bag));
    return bag;
  }

  private static void words(String text, String prefix, Map<String, Integer> bag) {
    for (String w : NON_WORD.split(text.toLowerCase(Locale.ROOT))) {
      if (w.length() >= 2 && !STOP_WORDS.contains(w)) {
        bag.merge(prefix + w, 1, Integer::sum);
      }
    }
  }

  private static ItemFeatures terms(ItemContent content, IdIndex items, int maxTerms, boolean categoriesOnly) {
    if (maxTerms < 1) {
      throw new IllegalArgumentException("maxTerms must be >= 1, got " + maxTerms);
    }
    List<Map<String, Integer>> bags = new ArrayList<>(items.size());
    Map<String, Integer> documentFrequency = new HashMap<>();
    int described = 0;
    for (int i = 0; i < items.size(); i++) {
      ItemMetadata meta = content.catalog().get(items.idOf(i));
      Map<String, Integer> bag = meta == null ? Map.of() : termsOf(meta, categoriesOnly);
      bags.add(bag);
      described += bag.isEmpty() ? 0 : 1;
      bag.keySet().forEach(t -> documentFrequency.merge(t, 1, Integer::sum));
    }
    int minFrequency = categoriesOnly ? 1 : 2;
    // Most frequent first, ties by name, so the vocabulary does not depend on hash order.
    List<String> vocabulary = documentFrequency.entrySet().stream()
        .filter(e -> e.getValue() >= minFrequency)
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(maxTerms).map(Map.Entry::getKey).sorted().toList();
    Map<String, Integer> column = new HashMap<>();
    for (String t : vocabulary) {
      column.put(t, column.size());
    }
    ItemFeatures.Builder rows = new ItemFeatures.Builder(vocabulary.size());
    int n = Math.max(1, described);
    for (Map<String, Integer> bag : bags) {
      int[] cols = bag.keySet().stream().filter(column::containsKey).mapToInt(column::get).sorted().toArray();
      float[] vals = new float[cols.length];
      // Each block of terms (title words, decade, each categorical field, tags) is scaled to unit
      // length before the row is: otherwise the many rare title words and tags, with their high
      // IDF, drown the few genres that carry most of the taste signal.
      Map<String, Double> blockNorm = new HashMap<>();
      Map<String, Double> weights = new HashMap<>();
      for (Map.Entry<String, Integer> e : bag.entrySet()) {
        if (column.containsKey(e.getKey())) {
          // tf-idf = (1 + ln tf) · ln(N / df); a one-hot for categories alone
          double idf = Math.log((double) n / documentFrequency.get(e.getKey()));
          double weight = categoriesOnly ? 1 : (1 + Math.log(e.getValue())) * Math.max(idf, 1e-3);
          weights.put(e.getKey(), weight);
          blockNorm.merge(block(e.getKey()), weight * weight, Double::sum);
        }
      }
      for (Map.Entry<String, Double> e : weights.entrySet()) {
        double norm = Math.sqrt(blockNorm.get(block(e.getKey())));
        vals[Arrays.binarySearch(cols, column.get(e.getKey()))] = (float) (blockWeight(e.getKey()) * e.getValue() / norm);
      }
      rows.addRow(cols, vals);
    }
    return rows.build();
  }

  /** Title words and decade weigh half a categorical field or the tags: they say less about taste. */
  private static double blockWeight(String term) {
    String b = block(term);
    return b.equals("title") || b.equals("decade") || b.equals("text") ? 0.5 : 1.0;
  }

  /** The block of a term: its prefix ({@code title}, {@code decade}, {@code genres}, {@code tag}…). */
  private static String block(String term) {
    String prefix = term.substring(0, term.indexOf(':'));
    return prefix.equals("tagword") ? "tag" : prefix;
  }

  private static ItemFeatures text(ItemContent content, IdIndex items) {
    TextVectors text = content.text();
    if (text == null) {
      throw new IllegalArgumentException("content features 'text' need item text vectors (train or evaluate with "
          + "--encode-items, which runs the text encoder); 'tfidf' and 'genres' need none");
    }
    float[][] rows = new float[items.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = text.vectorOf(items.idOf(i));
    }
    return ItemFeatures.ofDense(rows, text.dims());
  }

  /** Rows {@code [a_i, b_i] / √2} (each block already unit; a missing block leaves the other unit). */
  static ItemFeatures concat(ItemFeatures a, ItemFeatures b) {
    ItemFeatures.Builder rows = new ItemFeatures.Builder(a.dims() + b.dims());
    for (int i = 0; i < a.items(); i++) {
      int[] ca = a.columnsOf(i);
      int[] cb = b.columnsOf(i);
      int[] cols = Arrays.copyOf(ca, ca.length + cb.length);
      float[] vals = Arrays.copyOf(a.valuesOf(i), ca.length + cb.length);
      float[] vb = b.valuesOf(i);
      for (int n = 0; n < cb.length; n++) {
        cols[ca.length + n] = a.dims() + cb[n];
        vals[ca.length + n] = vb[n];
      }
      rows.addRow(cols, vals);
    }
    return rows.build();
  }
}
