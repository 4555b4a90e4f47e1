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
 */
public record ReadOptions(
    boolean implicit,
    float implicitThreshold,
    float implicitWeight,
    DuplicatePolicy duplicates,
    ErrorPolicy errors) {

  public ReadOptions {
    Objects.requireNonNull(duplicates, "duplicates");
    Objects.requireNonNull(errors, "errors");
    if (!Float.isFinite(implicitThreshold) || !Float.isFinite(implicitWeight)) {
      throw new IllegalArgumentException("implicit threshold and weight must be finite");
    }
  }

  /** Explicit values, keep the last duplicate, stop at the first error. */
  public static ReadOptions defaults() {
    return new ReadOptions(false, -Float.MAX_VALUE, 1f,
        DuplicatePolicy.KEEP_LAST, ErrorPolicy.FAIL);
  }

  /** Every row becomes an implicit interaction of value 1, whatever its rating. */
  public ReadOptions asImplicit() {
    return new ReadOptions(true, -Float.MAX_VALUE, 1f, duplicates, errors);
  }

  public ReadOptions withImplicit(float threshold, float weight) {
    return new ReadOptions(true, threshold, weight, duplicates, errors);
  }

  public ReadOptions withDuplicates(DuplicatePolicy policy) {
    return new ReadOptions(implicit, implicitThreshold, implicitWeight, policy, errors);
  }

  public ReadOptions withErrors(ErrorPolicy policy) {
    return new ReadOptions(implicit, implicitThreshold, implicitWeight, duplicates, policy);
  }
}
