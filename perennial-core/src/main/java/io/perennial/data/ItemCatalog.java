package io.perennial.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Item metadata keyed by external item id, in file order: what {@code --items} and {@code
 * --tags} read, what the server's item routes store, and what a text encoder turns into vectors.
 * Readers cover MovieLens ({@code movies.csv}, ml-100k {@code u.item}, ml-1m {@code movies.dat},
 * {@code tags.csv}) and generic CSV, TSV and JSON Lines files through an {@link ItemColumns}
 * mapping; every error names file, line and field. Immutable.
 */
public final class ItemCatalog {

  private static final List<String> MOVIES_FILES = List.of("movies.csv", "u.item", "movies.dat");

  private final Map<String, ItemMetadata> items;
  private final long skipped;
  private final List<String> problems;

  private ItemCatalog(Map<String, ItemMetadata> items, long skipped, List<String> problems) {
    this.items = Collections.unmodifiableMap(items);
    this.skipped = skipped;
    this.problems = List.copyOf(problems);
  }

  /** A catalogue of these items (a later item with the same id replaces an earlier one). */
  public static ItemCatalog of(Collection<ItemMetadata> items) {
    Map<String, ItemMetadata> map = new LinkedHashMap<>();
    items.forEach(i -> map.put(i.id(), i));
    return new ItemCatalog(map, 0, List.of());
  }

  /** No items. */
  public static ItemCatalog empty() {
    return new ItemCatalog(new LinkedHashMap<>(), 0, List.of());
  }

  /** Reads {@code file} (or a MovieLens folder) with the format taken from its name. */
  public static ItemCatalog read(Path file) {
    return read(file, ItemReadOptions.defaults());
  }

  /**
   * Reads an item file. A folder is a MovieLens folder: its movies file ({@code movies.csv},
   * {@code u.item} or {@code movies.dat}) and {@code tags.csv} when present.
   *
   * @throws DataFormatException naming file, line and field of the first problem (with {@link
   *     ErrorPolicy#SKIP}, only of a problem that leaves nothing readable, such as a missing file
   *     or a header without the id column)
   */
  public static ItemCatalog read(Path file, ItemReadOptions options) {
    if (Files.isDirectory(file)) {
      return readFolder(file, options.onError());
    }
    ItemFormat format = options.format() == ItemFormat.AUTO ? formatOf(file) : options.format();
    ItemReaders.Sink sink = new ItemReaders.Sink(options.onError());
    switch (format) {
      case MOVIELENS -> ItemReaders.readMoviesCsv(file, sink);
      case ML100K -> ItemReaders.readUItem(file, sink);
      case ML1M -> ItemReaders.readMoviesDat(file, sink);
      case CSV -> ItemReaders.readDelimited(file, options.delimiter() == null ? Delimiter.COMMA : options.delimiter(),
          options.header(), options.columns(), sink);
      case TSV -> ItemReaders.readDelimited(file, options.delimiter() == null ? Delimiter.TAB : options.delimiter(),
          options.header(), options.columns(), sink);
      case JSONL -> ItemReaders.readJsonLines(file, options.columns(), sink);
      case AUTO -> throw new IllegalStateException("unreachable");
    }
    return new ItemCatalog(sink.items, sink.skipped, sink.examples);
  }

  /** The layout {@link ItemFormat#AUTO} takes for {@code file}. */
  public static ItemFormat formatOf(Path file) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (name.equals("u.item")) {
      return ItemFormat.ML100K;
    }
    if (name.endsWith(".dat")) {
      return ItemFormat.ML1M;
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return ItemFormat.JSONL;
    }
    if (name.endsWith(".tsv")) {
      return ItemFormat.TSV;
    }
    return name.equals("movies.csv") || hasMovieLensHeader(file) ? ItemFormat.MOVIELENS : ItemFormat.CSV;
  }

  /** Whether the file starts with MovieLens's {@code movieId,title,genres} header. */
  private static boolean hasMovieLensHeader(Path file) {
    try (TextLines lines = new TextLines(file, StandardCharsets.UTF_8)) {
      TextLines.Line first = lines.next();
      return first != null && first.text() != null && first.text().strip().equalsIgnoreCase("movieId,title,genres");
    } catch (DataFormatException | UncheckedIOException e) {
      return false; // the reader proper reports it
    }
  }

  private static ItemCatalog readFolder(Path folder, ErrorPolicy policy) {
    Path movies = moviesFileIn(folder);
    if (movies == null) {
      throw new DataFormatException(folder, 0, null, "no movies.csv, u.item or movies.dat in this folder");
    }
    ItemCatalog catalog = read(movies, ItemReadOptions.defaults().withErrorPolicy(policy));
    Path tags = folder.resolve("tags.csv");
    return Files.exists(tags) ? catalog.withTags(tags, policy) : catalog;
  }

  /** The MovieLens movies file in {@code folder}, or {@code null}. */
  public static Path moviesFileIn(Path folder) {
    for (String name : MOVIES_FILES) {
      if (Files.isRegularFile(folder.resolve(name))) {
        return folder.resolve(name);
      }
    }
    return null;
  }

  /**
   * This catalogue with the tags of a tags file added ({@code userId,movieId,tag,timestamp} as in
   * MovieLens, or any file whose header names an item column and a {@code tag} column). Tags of
   * items the catalogue does not list make items of their own, known by their tags alone.
   */
  public ItemCatalog withTags(Path tagsFile, ErrorPolicy policy) {
    long[] tagSkipped = new long[1];
    List<String> examples = new ArrayList<>(problems);
    Map<String, List<String>> tags = ItemReaders.readTags(tagsFile, policy, tagSkipped, examples);
    Map<String, ItemMetadata> merged = new LinkedHashMap<>(items);
    tags.forEach((id, list) -> merged.merge(id, ItemMetadata.tagsOnly(id, list), (old, add) -> old.withTags(add.tags())));
    return new ItemCatalog(merged, skipped + tagSkipped[0], examples.subList(0, Math.min(5, examples.size())));
  }

  /** Number of items. */
  public int size() {
    return items.size();
  }

  /** The item with this external id, or {@code null}. */
  public ItemMetadata get(String id) {
    return items.get(id);
  }

  /** The title of the item, or {@code null} when unknown or untitled. */
  public String title(String id) {
    ItemMetadata m = items.get(id);
    return m == null ? null : m.title();
  }

  /** The item's tags (empty when none or unknown). */
  public List<String> tags(String id) {
    ItemMetadata m = items.get(id);
    return m == null ? List.of() : m.tags();
  }

  /** Every item, in file order. */
  public Collection<ItemMetadata> items() {
    return items.values();
  }

  /** Items with at least one tag. */
  public int taggedCount() {
    return (int) items.values().stream().filter(m -> !m.tags().isEmpty()).count();
  }

  /** Lines left out as invalid ({@link ErrorPolicy#SKIP}). */
  public long skipped() {
    return skipped;
  }

  /** The first few lines left out, as {@code file:line: field 'f': problem} messages. */
  public List<String> problems() {
    return problems;
  }

  /**
   * Writes the catalogue as JSON Lines in the {@link ItemMetadataJson} form (what {@link #read}
   * reads back with the {@code jsonl} format), atomically: a temporary file in the same folder,
   * fsynced, renamed over the target.
   */
  public void writeJsonLines(Path file) {
    try {
      AtomicFile.write(file, ch -> {
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(ch), StandardCharsets.UTF_8));
        for (ItemMetadata m : items.values()) {
          out.write(ItemMetadataJson.toJson(m).toString());
          out.write('\n');
        }
        out.flush();
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

}
