package io.perennial.cli;

import io.perennial.data.ColumnMapping;
import io.perennial.data.DataFormat;
import io.perennial.data.Dataset;
import io.perennial.data.DuplicatePolicy;
import io.perennial.data.ErrorPolicy;
import io.perennial.data.InteractionReaders;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadOptions;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The options every data-reading command shares. */
final class DataOptions {

  @Option(names = "--data", required = true, paramLabel = "FILE",
      description = "Interactions file (or a MovieLens folder with --format movielens).")
  Path data;

  @Option(names = "--format", defaultValue = "movielens", paramLabel = "FORMAT",
      description = "movielens (detects ratings.csv / u.data / ratings.dat), ml100k, ml1m, ml25m, csv, tsv, jsonl. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--implicit", description = "Treat every interaction as implicit feedback of value 1 (see --implicit-threshold).")
  boolean implicit;

  @Option(names = "--implicit-threshold", paramLabel = "VALUE",
      description = "With --implicit, drop interactions whose value is below this (e.g. ratings < 4).")
  Float implicitThreshold;

  @Option(names = "--implicit-weight", defaultValue = "1", paramLabel = "W",
      description = "With --implicit, the value given to kept interactions. Default: ${DEFAULT-VALUE}.")
  float implicitWeight;

  @Option(names = "--duplicates", defaultValue = "keep-last", paramLabel = "POLICY",
      description = "Repeated (user, item) pairs: keep-last, keep-first, sum, keep-all. Default: ${DEFAULT-VALUE}.")
  String duplicates;

  @Option(names = "--on-error", defaultValue = "fail", paramLabel = "POLICY",
      description = "Invalid rows: fail (stop at the first) or skip (drop and count). Default: ${DEFAULT-VALUE}.")
  String onError;

  @Option(names = "--user-col", paramLabel = "COL", description = "User column name or 0-based index (csv, tsv, jsonl).")
  String userColumn;

  @Option(names = "--item-col", paramLabel = "COL", description = "Item column name or index.")
  String itemColumn;

  @Option(names = "--value-col", paramLabel = "COL", description = "Value/rating column name or index.")
  String valueColumn;

  @Option(names = "--time-col", paramLabel = "COL", description = "Timestamp column name or index.")
  String timeColumn;

  @Option(names = "--type-col", paramLabel = "COL", description = "Event type column name or index.")
  String typeColumn;

  /** Options built in code, for commands that read data without the full set of flags. */
  static DataOptions of(Path data, String format, boolean implicit, String duplicates, String onError) {
    DataOptions options = new DataOptions();
    options.data = data;
    options.format = format;
    options.implicit = implicit;
    options.implicitWeight = 1;
    options.duplicates = duplicates;
    options.onError = onError;
    return options;
  }

  ReadOptions readOptions() {
    ReadOptions options = ReadOptions.defaults()
        .withDuplicates(parseEnum(DuplicatePolicy.class, duplicates, "--duplicates"))
        .withErrors(parseEnum(ErrorPolicy.class, onError.equals("skip") ? "SKIP" : onError, "--on-error"));
    if (implicit) {
      options = options.withImplicit(implicitThreshold == null ? -Float.MAX_VALUE : implicitThreshold, implicitWeight);
    }
    return options;
  }

  DataFormat dataFormat() {
    try {
      return DataFormat.parse(format);
    } catch (IllegalArgumentException e) {
      throw new UserException("--format: " + e.getMessage());
    }
  }

  ColumnMapping columns() {
    if (userColumn == null && itemColumn == null && valueColumn == null && timeColumn == null && typeColumn == null) {
      return null;
    }
    return new ColumnMapping(userColumn, itemColumn, valueColumn, timeColumn, typeColumn, InteractionType.VIEW);
  }

  Dataset read() {
    return InteractionReaders.read(data, dataFormat(), readOptions(), columns());
  }

  static <E extends Enum<E>> E parseEnum(Class<E> type, String text, String flag) {
    String key = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E value : type.getEnumConstants()) {
      if (value.name().equals(key)) {
        return value;
      }
    }
    StringBuilder names = new StringBuilder();
    for (E value : type.getEnumConstants()) {
      names.append(names.length() == 0 ? "" : ", ").append(value.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    throw new UserException(flag + ": unknown value '" + text + "' (expected " + names + ")");
  }
}
