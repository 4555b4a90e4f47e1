package io.perennial.data;

import java.util.Objects;

/**
 * How readers turn rows into interactions.
 *
 * @param implicit convert ratings to implicit feedback: rows with value below {@code
 *     implicitThreshold} are filtered out, the rest get value {@code implicitWeight}
 * @param implicitThreshold smallest value kept when {@code implicit}
 * @param implicitWeight value given to kept rows when {@code implicit}
 * @param duplicates what to do with repeated (user, item) pairs
 * @param errors stop at the first invalid row, or drop and count
 * @param delimiter field separator of {@link DataFormat#CSV} and {@link DataFormat#TSV} files, or
 *     {@code null} for the format's own (comma, tab); the other formats have a fixed layout
 * @param header whether the first line of a delimited file is a header ({@link HeaderMode#DETECT}
 *     decides from the file); JSON Lines has none
 */
public record ReadOptions(
    boolean implicit,
    float implicitThreshold,
    float implicitWeight,
    DuplicatePolicy duplicates,
    ErrorPolicy errors,
    Delimiter delimiter,
    HeaderMode header) {

  /** Validates the policies and the implicit conversion's numbers. */
  public ReadOptions {
    Objects.requireNonNull(duplicates, "duplicates");
    Objects.requireNonNull(errors, "errors");
    Objects.requireNonNull(header, "header");
    if (!Float.isFinite(implicitThreshold) || !Float.isFinite(implicitWeight)) {
      throw new IllegalArgumentException("implicit threshold and weight must be finite");
    }
  }

  /** Explicit values, keep the last duplicate, stop at the first error, the format's delimiter, header detected. */
  public static ReadOptions defaults() {
    return new ReadOptions(false, -Float.MAX_VALUE, 1f,
        DuplicatePolicy.KEEP_LAST, ErrorPolicy.FAIL, null, HeaderMode.DETECT);
  }

  /** Every row becomes an implicit interaction of value 1, whatever its rating. */
  public ReadOptions asImplicit() {
    return new ReadOptions(true, -Float.MAX_VALUE, 1f, duplicates, errors, delimiter, header);
  }

  /** Implicit feedback: rows below {@code threshold} dropped, the rest of value {@code weight}. */
  public ReadOptions withImplicit(float threshold, float weight) {
    return new ReadOptions(true, threshold, weight, duplicates, errors, delimiter, header);
  }

  /** The same options with another duplicate policy. */
  public ReadOptions withDuplicates(DuplicatePolicy policy) {
    return new ReadOptions(implicit, implicitThreshold, implicitWeight, policy, errors, delimiter, header);
  }

  /** The same options with another error policy. */
  public ReadOptions withErrors(ErrorPolicy policy) {
    return new ReadOptions(implicit, implicitThreshold, implicitWeight, duplicates, policy, delimiter, header);
  }

  /** The same options with a delimiter for CSV/TSV ({@code null}: the format's own). */
  public ReadOptions withDelimiter(Delimiter separator) {
    return new ReadOptions(implicit, implicitThreshold, implicitWeight, duplicates, errors, separator, header);
  }

  /** The same options with a header mode. */
  public ReadOptions withHeader(HeaderMode mode) {
    return new ReadOptions(implicit, implicitThreshold, implicitWeight, duplicates, errors, delimiter, mode);
  }
}
