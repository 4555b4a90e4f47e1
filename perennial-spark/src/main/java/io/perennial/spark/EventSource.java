package io.perennial.spark;

import io.perennial.data.DuplicatePolicy;
import io.perennial.data.ErrorPolicy;
import java.io.Serializable;
import java.util.Locale;

/**
 * What to read and how: the subset of {@code train}'s data options that the Spark stages apply.
 *
 * @param path a file or folder (local, {@code hdfs://}, {@code s3a://} — anything Hadoop reads)
 * @param format {@code movielens} (a ratings.csv / ratings.dat / u.data file or its folder),
 *     {@code csv}, {@code jsonl} or {@code parquet}
 * @param delimiter field separator of {@code csv} (default comma)
 * @param header whether line 1 of a csv file is a header: {@code null} = detected (a cell names a
 *     column), else as told
 * @param columns the user, item, value and timestamp columns (name, or 0-based index for csv);
 *     {@code null} entries take the usual aliases
 * @param implicit every kept row becomes {@code implicitWeight}; rows below {@code implicitThreshold}
 *     are dropped
 * @param duplicates what a repeated (user, item) pair becomes
 * @param errors stop at the first invalid row, or drop and count
 */
public record EventSource(
    String path,
    Format format,
    char delimiter,
    Boolean header,
    Columns columns,
    boolean implicit,
    float implicitThreshold,
    float implicitWeight,
    DuplicatePolicy duplicates,
    ErrorPolicy errors) implements Serializable {

  /** The input formats the Spark job reads. */
  public enum Format {
    MOVIELENS, CSV, JSONL, PARQUET;

    /** The format named {@code name} (case-insensitive), or an error listing the choices. */
    public static Format parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--format: unknown format '" + name + "' (expected movielens, csv, jsonl or parquet)");
      }
    }
  }

  /**
   * Column choices; {@code null} = found through the aliases the core readers accept
   * ({@code user|userid|user_id}, {@code item|itemid|item_id|movieid|product_id},
   * {@code value|rating|weight|score}, {@code timestamp|ts|time|event_time}).
   */
  public record Columns(String user, String item, String value, String timestamp) implements Serializable {
    /** Every column found by its aliases. */
    public static Columns aliases() {
      return new Columns(null, null, null, null);
    }
  }

  /** Explicit values, keep-last duplicates, fail on the first error. */
  public static EventSource of(String path, Format format) {
    return new EventSource(path, format, ',', null, Columns.aliases(), false, -Float.MAX_VALUE, 1f,
        DuplicatePolicy.KEEP_LAST, ErrorPolicy.FAIL);
  }

  /** The same source with every row an implicit interaction of value 1. */
  public EventSource asImplicit() {
    return new EventSource(path, format, delimiter, header, columns, true, -Float.MAX_VALUE, 1f, duplicates, errors);
  }

  /** The same source with another duplicate policy. */
  public EventSource withDuplicates(DuplicatePolicy policy) {
    return new EventSource(path, format, delimiter, header, columns, implicit, implicitThreshold, implicitWeight,
        policy, errors);
  }

  /** The same source with another error policy. */
  public EventSource withErrors(ErrorPolicy policy) {
    return new EventSource(path, format, delimiter, header, columns, implicit, implicitThreshold, implicitWeight,
        duplicates, policy);
  }
}
