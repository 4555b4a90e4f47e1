package io.perennial.cli;

import io.perennial.data.ColumnMapping;
import io.perennial.data.DataFormat;
import io.perennial.data.Dataset;
import io.perennial.data.DuplicatePolicy;
import io.perennial.data.ErrorPolicy;
import io.perennial.data.InteractionReaders;
import io.perennial.data.ReadOptions;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every data-reading command shares. */
final class DataOptions {

  @Option(names = "--data", required = true, paramLabel = "FILE",
      description = "Interactions file (or a MovieLens folder with --format movielens).")
  Path data;

  @Option(names = "--format", defaultValue = "movielens", paramLabel = "FORMAT",
      description = "movielens (detects ratings.csv / u.data / ratings.dat), ml100k, ml1m, ml25m, csv, tsv, jsonl, "
          + "seq-pairs (a user-item line per interaction, file order = time order), "
          + "seq-lines (a line per user: user item1 item2 ... in time order). Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--implicit", description = "Treat every interaction as implicit feedback of value 1 (see --implicit-threshold).")
  boolean implicit;

  @Option(names = "--implicit-threshold", paramLabel = "VALUE",
      description = "Drop interactions whose value is below this (e.g. ratings < 4); implies --implicit.")
  Float implicitThreshold;

  @Option(names = "--implicit-weight", paramLabel = "W",
      description = "The value given to kept interactions; implies --implicit. Default: 1.")
  Float implicitWeight;

  @Option(names = "--duplicates", defaultValue = "keep-last", paramLabel = "POLICY",
      description = "Repeated (user, item) pairs: keep-last, keep-first, sum, keep-all. Default: ${DEFAULT-VALUE}.")
  String duplicates;

  @Option(names = "--on-error", defaultValue = "fail", paramLabel = "POLICY",
      description = "Invalid rows: fail (stop at the first) or skip (drop and count). Default: ${DEFAULT-VALUE}.")
  String onError;

  @Mixin LayoutOptions layout = new LayoutOptions();

  /** Options built in code, for commands that read data without the full set of flags. */
  static DataOptions of(Path data, String format, boolean implicit, String duplicates, String onError) {
    DataOptions options = new DataOptions();
    options.data = data;
    options.format = format;
    options.implicit = implicit;
    options.duplicates = duplicates;
    options.onError = onError;
    return options;
  }

  /** The same options reading the file as {@code fileLayout} says. */
  DataOptions withLayout(LayoutOptions fileLayout) {
    layout = fileLayout;
    return this;
  }

  /**
   * The read options. An implicit threshold or weight without {@code --implicit} means implicit
   * feedback was wanted: it turns {@code --implicit} on and says so once, rather than being ignored.
   */
  /** What {@code --on-error} asks for, for the readers that take only a policy (item metadata). */
  ErrorPolicy errorPolicy() {
    return parseEnum(ErrorPolicy.class, onError.equals("skip") ? "SKIP" : onError, "--on-error");
  }

  ReadOptions readOptions() {
    if (!implicit && (implicitThreshold != null || implicitWeight != null)) {
      implicit = true;
      System.out.println("note: " + (implicitThreshold != null ? "--implicit-threshold" : "--implicit-weight")
          + " implies --implicit");
    }
    ReadOptions options = ReadOptions.defaults()
        .withDuplicates(parseEnum(DuplicatePolicy.class, duplicates, "--duplicates"))
        .withErrors(parseEnum(ErrorPolicy.class, onError.equals("skip") ? "SKIP" : onError, "--on-error"));
    if (implicit) {
      options = options.withImplicit(implicitThreshold == null ? -Float.MAX_VALUE : implicitThreshold,
          implicitWeight == null ? 1f : implicitWeight);
    }
    return layout.applyTo(options, dataFormat());
  }

  DataFormat dataFormat() {
    try {
      return DataFormat.parse(format);
    } catch (IllegalArgumentException e) {
      throw new UserException("--format: " + e.getMessage());
    }
  }

  ColumnMapping columns() {
    return layout.columns();
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
