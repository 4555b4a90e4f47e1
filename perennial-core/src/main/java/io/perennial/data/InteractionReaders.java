package io.perennial.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

  /** Reads into an existing builder so several files share one id space (fold files). */
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
    ColumnMapping generic = columns != null ? columns : ColumnMapping.byHeader(InteractionType.VIEW);
    switch (format) {
      case ML100K -> new DelimitedReader(
              "\t", false, ColumnMapping.positional(InteractionType.RATING), StandardCharsets.UTF_8)
          .readInto(path, builder);
      case ML1M -> new DelimitedReader(
              "::", false, ColumnMapping.positional(InteractionType.RATING), StandardCharsets.ISO_8859_1)
          .readInto(path, builder);
      case ML25M -> DelimitedReader.csv(
              new ColumnMapping("userId", "movieId", "rating", "timestamp", null, InteractionType.RATING))
          .readInto(path, builder);
      case CSV -> DelimitedReader.csv(generic).readInto(path, builder);
      case TSV -> DelimitedReader.tsv(generic).readInto(path, builder);
      case JSONL -> new JsonLinesReader(generic).readInto(path, builder);
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
