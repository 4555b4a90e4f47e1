package io.perennial.data;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MovieLens item metadata keyed by external item id: titles and genres from {@code movies.csv}
 * (ml-latest, ml-25m), {@code u.item} (ml-100k) or {@code movies.dat} (ml-1m, ml-10m), and free-text
 * tags from {@code tags.csv}. Malformed lines are reported with file and line; a UTF-8 byte order
 * mark at the start of a file is dropped.
 */
public final class MovieLensCatalog {

  /** One movie. */
  public record Movie(String id, String title, List<String> genres) {}

  private static final String[] ML100K_GENRES = {"unknown", "Action", "Adventure", "Animation",
      "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror",
      "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"};

  private final Map<String, Movie> movies;
  private final Map<String, List<String>> tags;

  private MovieLensCatalog(Map<String, Movie> movies, Map<String, List<String>> tags) {
    this.movies = movies;
    this.tags = tags;
  }

  /**
   * Reads the metadata found in a MovieLens folder: the movies file it has, and {@code tags.csv}
   * when present.
   */
  public static MovieLensCatalog read(Path folder) {
    Map<String, Movie> movies;
    if (Files.exists(folder.resolve("movies.csv"))) {
      movies = readMoviesCsv(folder.resolve("movies.csv"));
    } else if (Files.exists(folder.resolve("u.item"))) {
      movies = readUItem(folder.resolve("u.item"));
    } else if (Files.exists(folder.resolve("movies.dat"))) {
      movies = readMoviesDat(folder.resolve("movies.dat"));
    } else {
      throw new DataFormatException(folder, 0, null, "no movies.csv, u.item or movies.dat in this folder");
    }
    Path tagFile = folder.resolve("tags.csv");
    return new MovieLensCatalog(movies, Files.exists(tagFile) ? readTags(tagFile) : Map.of());
  }

  /**
   * Reads the titles and genres of one movies file, whatever its name: {@code u.item} in the ml-100k
   * layout, a {@code .dat} file in the ml-1m layout, anything else as {@code movies.csv}
   * ({@code movieId,title,genres} with a header). A folder is read as by {@link #read}.
   */
  public static MovieLensCatalog readMovies(Path file) {
    if (Files.isDirectory(file)) {
      return read(file);
    }
    String name = file.getFileName().toString();
    Map<String, Movie> movies = name.equals("u.item") ? readUItem(file)
        : name.endsWith(".dat") ? readMoviesDat(file)
        : readMoviesCsv(file);
    return new MovieLensCatalog(movies, Map.of());
  }

  /** Number of movies. */
  public int size() {
    return movies.size();
  }

  /** The movie with this external id, or {@code null}. */
  public Movie movie(String id) {
    return movies.get(id);
  }

  /** Distinct tags applied to the movie, in first-seen order (empty when none). */
  public List<String> tags(String id) {
    return tags.getOrDefault(id, List.of());
  }

  /** {@code movieId,title,genres} with a header; genres separated by {@code |}. */
  static Map<String, Movie> readMoviesCsv(Path file) {
    Map<String, Movie> out = new LinkedHashMap<>();
    forEachCsv(file, true, (record, line) -> {
      requireFields(record, 3, file, line);
      String id = FieldParsers.id(record.get(0), file.toString(), line, "movieId");
      out.put(id, new Movie(id, record.get(1).trim(), genres(record.get(2), "|")));
    });
    return out;
  }

  /** {@code id|title|release|video release|url|19 genre flags}, Latin-1. */
  static Map<String, Movie> readUItem(Path file) {
    Map<String, Movie> out = new LinkedHashMap<>();
    forEachLine(file, StandardCharsets.ISO_8859_1, (text, line) -> {
      String[] f = text.split("\\|", -1);
      if (f.length < 5 + ML100K_GENRES.length) {
        throw new DataFormatException(file, line, null,
            "expected " + (5 + ML100K_GENRES.length) + " |-separated fields, found " + f.length);
      }
      String id = FieldParsers.id(f[0], file.toString(), line, "movie id");
      List<String> genres = new ArrayList<>();
      for (int g = 0; g < ML100K_GENRES.length; g++) {
        String flag = f[5 + g].trim();
        if (!flag.equals("0") && !flag.equals("1")) {
          throw new DataFormatException(file, line, ML100K_GENRES[g], "genre flag must be 0 or 1, got " + DataFormatException.quote(flag));
        }
        if (flag.equals("1")) {
          genres.add(ML100K_GENRES[g]);
        }
      }
      out.put(id, new Movie(id, f[1].trim(), List.copyOf(genres)));
    });
    return out;
  }

  /** {@code id::title::genres}, genres separated by {@code |}, Latin-1. */
  static Map<String, Movie> readMoviesDat(Path file) {
    Map<String, Movie> out = new LinkedHashMap<>();
    forEachLine(file, StandardCharsets.ISO_8859_1, (text, line) -> {
      String[] f = text.split("::", -1);
      if (f.length != 3) {
        throw new DataFormatException(file, line, null, "expected id::title::genres, found " + f.length + " fields");
      }
      String id = FieldParsers.id(f[0], file.toString(), line, "movie id");
      out.put(id, new Movie(id, f[1].trim(), genres(f[2], "|")));
    });
    return out;
  }

  /** {@code userId,movieId,tag,timestamp} with a header. */
  static Map<String, List<String>> readTags(Path file) {
    Map<String, List<String>> out = new HashMap<>();
    forEachCsv(file, true, (record, line) -> {
      requireFields(record, 4, file, line);
      String movie = FieldParsers.id(record.get(1), file.toString(), line, "movieId");
      FieldParsers.timestamp(record.get(3), file.toString(), line, "timestamp");
      String tag = record.get(2).trim();
      List<String> list = out.computeIfAbsent(movie, k -> new ArrayList<>());
      if (!tag.isEmpty() && !list.contains(tag)) {
        list.add(tag);
      }
    });
    out.replaceAll((k, v) -> Collections.unmodifiableList(v));
    return out;
  }

  private static List<String> genres(String field, String separator) {
    String trimmed = field.trim();
    if (trimmed.isEmpty() || trimmed.equals("(no genres listed)")) {
      return List.of();
    }
    return List.copyOf(Arrays.asList(trimmed.split(java.util.regex.Pattern.quote(separator))));
  }

  private static void requireFields(List<String> record, int n, Path file, long line) {
    if (record.size() < n) {
      throw new DataFormatException(file, line, null, "expected " + n + " fields, found " + record.size());
    }
  }

  private interface RecordConsumer {
    void accept(List<String> record, long line);
  }

  private interface LineConsumer {
    void accept(String text, long line);
  }

  private static void forEachCsv(Path file, boolean header, RecordConsumer consumer) {
    try (DelimitedRecords records =
        new DelimitedRecords(new TextLines(file, StandardCharsets.UTF_8), Delimiter.COMMA, true)) {
      DelimitedRecords.Row row = records.next();
      if (row != null && header) {
        row = records.next();
      }
      for (; row != null; row = records.next()) {
        consumer.accept(row.fields(), row.line());
      }
    }
  }

  private static void forEachLine(Path file, Charset charset, LineConsumer consumer) {
    try (TextLines lines = new TextLines(file, charset)) {
      TextLines.Line line;
      while ((line = lines.next()) != null) {
        if (line.problem() != null) {
          throw new DataFormatException(file, line.number(), null, line.problem());
        }
        if (!line.text().isBlank()) {
          consumer.accept(line.text(), line.number());
        }
      }
    }
  }
}
