package io.perennial.cli;

import io.perennial.data.ColumnMapping;
import io.perennial.data.DataFormat;
import io.perennial.data.Delimiter;
import io.perennial.data.HeaderMode;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadOptions;
import picocli.CommandLine.Option;

/**
 * How an interactions file is laid out: delimiter, header and column mapping. Every command that
 * reads interactions mixes these in, so {@code train}, {@code evaluate}, {@code simulate} and
 * {@code datasets info} read the same file the same way.
 */
final class LayoutOptions {

  @Option(names = "--delimiter", paramLabel = "SEP",
      description = "Field separator for csv and tsv: any single character, tab, whitespace (runs of spaces and tabs), "
          + "space, comma, semicolon, pipe. Default: comma for csv, tab for tsv.")
  String delimiter;

  @Option(names = "--header", negatable = true,
      description = "Line 1 names the columns (--no-header: line 1 is data). Default: detected, and reported in the read summary.")
  Boolean header;

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

  /** Whether any layout flag was given (for sources that are not files). */
  boolean anyGiven() {
    return delimiter != null || header != null || columns() != null;
  }

  /** {@code options} with the delimiter and header mode; refuses flags the format has no use for. */
  ReadOptions applyTo(ReadOptions options, DataFormat format) {
    if (delimiter != null && format != DataFormat.CSV && format != DataFormat.TSV) {
      throw new UserException("--delimiter applies to --format csv or tsv; "
          + format.cliName() + " files have a fixed layout");
    }
    if (columns() != null && (format == DataFormat.SEQ_PAIRS || format == DataFormat.SEQ_LINES)) {
      throw new UserException("--user-col/--item-col/--value-col/--time-col/--type-col do not apply to "
          + format.cliName() + ": its columns are fixed (the user, then the item" + (format == DataFormat.SEQ_LINES ? "s" : "") + ")");
    }
    if (header != null && format == DataFormat.JSONL) {
      throw new UserException("--header/--no-header apply to delimited files; JSON Lines has no header line");
    }
    ReadOptions result = options.withHeader(header == null ? HeaderMode.DETECT : header ? HeaderMode.PRESENT : HeaderMode.ABSENT);
    if (delimiter != null) {
      try {
        result = result.withDelimiter(Delimiter.parse(delimiter));
      } catch (IllegalArgumentException e) {
        throw new UserException("--delimiter: " + e.getMessage());
      }
    }
    return result;
  }

  /** The column mapping, or {@code null} to find columns by header alias (or position without a header). */
  ColumnMapping columns() {
    if (userColumn == null && itemColumn == null && valueColumn == null && timeColumn == null && typeColumn == null) {
      return null;
    }
    return new ColumnMapping(userColumn, itemColumn, valueColumn, timeColumn, typeColumn, InteractionType.VIEW);
  }
}
