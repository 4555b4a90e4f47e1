package io.perennial.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** Entry point for reading interactions in any {@link DataFormat}. */
public final class InteractionReaders {

  private InteractionReaders() {}

  /** Reads with the default column mapping (header aliases for CSV/TSV/JSONL). */
  public static Dataset read(Path path, DataFormat format, ReadOptions options) {
    return read(path, format, options, null);
  }

  /**
   * Reads {@code path}; {@code columns} overrides the column mapping of the generic formats and may
   * be {@code null}.
   */
  public static Dataset read(
      Path path, DataFormat format, ReadOptions options, ColumnMapping columns) {
    DatasetBuilder builder = new DatasetBuilder(options);
    readInto(path, format, builder, columns);
    return builder.build();
  }

  /**
   * Reads into an existing builder so several files share one id space (fold files), with the
   * builder's {@link ReadOptions}.
   *
   * @throws DataFormatException for a missing file or invalid data, naming file, line and field
   * @throws IllegalArgumentException when the options do not apply to the format (a delimiter for a
   *     MovieLens file, a header mode for JSON Lines)
   */
  public static void readInto(
      Path path, DataFormat format, DatasetBuilder builder, ColumnMapping columns) {
    if (format == DataFormat.MOVIELENS) {
      Path file = resolveMovieLens(path);
      readInto(file, detectMovieLens(file), builder, columns);
      return;
    }
    if (!Files.exists(path)) {
      throw new DataFormatException(path, 0, null, "no such file");
    }
    if (Files.isDirectory(path)) {
      throw new DataFormatException(
          path, 0, null, "is a directory; give a file (or --format movielens)");
    }
    ReadOptions options = builder.options();
    if (options.delimiter() != null && format != DataFormat.CSV && format != DataFormat.TSV) {
      throw new IllegalArgumentException("a delimiter applies to the csv and tsv formats; "
          + format.name().toLowerCase(java.util.Locale.ROOT) + " has a fixed layout");
    }
    if (options.header() != HeaderMode.DETECT && format == DataFormat.JSONL) {
      throw new IllegalArgumentException("JSON Lines has no header line; a header mode applies to delimited formats");
    }
    ColumnMapping generic = columns != null ? columns : ColumnMapping.byHeader(InteractionType.VIEW);
    HeaderMode header = options.header();
    switch (format) {
      case ML100K -> new DelimitedReader(Delimiter.TAB, false, header,
              ColumnMapping.positional(InteractionType.RATING), StandardCharsets.UTF_8)
          .readInto(path, builder);
      case ML1M -> new DelimitedReader(Delimiter.of("::"), false, header,
              ColumnMapping.positional(InteractionType.RATING), StandardCharsets.ISO_8859_1)
          .readInto(path, builder);
      // The format has a header; told there is none, its columns are in the usual order.
      case ML25M -> new DelimitedReader(Delimiter.COMMA, true, header, header == HeaderMode.ABSENT
              ? ColumnMapping.positional(InteractionType.RATING)
              : new ColumnMapping("userId", "movieId", "rating", "timestamp", null, InteractionType.RATING),
              StandardCharsets.UTF_8)
          .readInto(path, builder);
      case CSV -> new DelimitedReader(Objects.requireNonNullElse(options.delimiter(), Delimiter.COMMA), true,
              header, generic, StandardCharsets.UTF_8)
          .readInto(path, builder);
      case TSV -> new DelimitedReader(Objects.requireNonNullElse(options.delimiter(), Delimiter.TAB), false,
              header, generic, StandardCharsets.UTF_8)
          .readInto(path, builder);
      case JSONL -> new JsonLinesReader(generic).readInto(path, builder);
      case SEQ_PAIRS -> new SequenceReader(false, header).readInto(path, builder);
      case SEQ_LINES -> new SequenceReader(true, header).readInto(path, builder);
      default -> throw new IllegalStateException("unhandled format " + format);
    }
  }

  /** Picks the MovieLens ratings file inside a directory, or returns the file itself. */
  static Path resolveMovieLens(Path path) {
    if (!Files.exists(path)) {
      throw new DataFormatException(path, 0, null, "no such file or directory");
    }
    if (!Files.isDirectory(path)) {
      return path;
    }
    for (String name : new String[] {"ratings.csv", "u.data", "ratings.dat"}) {
      Path candidate = path.resolve(name);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new DataFormatException(
        path, 0, null,
        "no MovieLens ratings file (ratings.csv, u.data or ratings.dat) in this directory");
  }

  static DataFormat detectMovieLens(Path file) {
    String name = file.getFileName().toString();
    if (name.endsWith(".dat")) {
      return DataFormat.ML1M;
    }
    if (name.equals("u.data") || name.matches("u[a-z0-9]*\\.(base|test)")) {
      return DataFormat.ML100K;
    }
    if (name.endsWith(".csv")) {
      return DataFormat.ML25M;
    }
    throw new DataFormatException(
        file, 0, null,
        "not a MovieLens ratings file name (ratings.csv, u.data, u1.base, ratings.dat); "
            + "use --format ml100k, ml1m, ml25m or csv");
  }
}
