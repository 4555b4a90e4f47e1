package io.perennial.data;

import java.util.List;
import java.util.Map;

/**
 * What a read did: rows seen, interactions accepted, and what was dropped and why.
 *
 * @param rows data rows read (header excluded)
 * @param accepted interactions in the resulting dataset
 * @param invalid dropped invalid rows by reason (only with {@link ErrorPolicy#SKIP})
 * @param belowThreshold rows filtered out by the implicit threshold
 * @param duplicatesMerged events folded into another by the duplicate policy
 * @param examples the first few invalid rows, as {@code file:line: field: problem} messages
 */
public record ReadReport(
    long rows,
    long accepted,
    Map<String, Long> invalid,
    long belowThreshold,
    long duplicatesMerged,
    List<String> examples) {

  public ReadReport {
    invalid = Map.copyOf(invalid);
    examples = List.copyOf(examples);
  }

  public long invalidTotal() {
    return invalid.values().stream().mapToLong(Long::longValue).sum();
  }

  /** One line for a terminal, e.g. {@code 100836 rows, 100836 accepted, 0 invalid}. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(rows).append(" rows, ").append(accepted).append(" accepted");
    sb.append(", ").append(invalidTotal()).append(" invalid");
    if (!invalid.isEmpty()) {
      sb.append(' ').append(invalid);
    }
    if (belowThreshold > 0) {
      sb.append(", ").append(belowThreshold).append(" below implicit threshold");
    }
    if (duplicatesMerged > 0) {
      sb.append(", ").append(duplicatesMerged).append(" duplicates merged");
    }
    return sb.toString();
  }
}
