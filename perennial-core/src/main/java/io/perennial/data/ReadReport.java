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
 * @param header how a delimited file's first line was taken, e.g. {@code header: detected} or
 *     {@code no header (detected)}; {@code null} for formats without a header line
 * @param fileOrderTimestamps accepted rows without a timestamp, whose position in the file stands
 *     in for their time
 */
public record ReadReport(
    long rows,
    long accepted,
    Map<String, Long> invalid,
    long belowThreshold,
    long duplicatesMerged,
    List<String> examples,
    String header,
    long fileOrderTimestamps) {

  /** Copies the maps and lists. */
  public ReadReport {
    invalid = Map.copyOf(invalid);
    examples = List.copyOf(examples);
  }

  /** A report of data that did not come from a file (generated, split, streamed): no header, times given. */
  public ReadReport(
      long rows, long accepted, Map<String, Long> invalid, long belowThreshold, long duplicatesMerged,
      List<String> examples) {
    this(rows, accepted, invalid, belowThreshold, duplicatesMerged, examples, null, 0);
  }

  /** Whether no row had a timestamp, so time order is file order. */
  public boolean inFileOrder() {
    return accepted > 0 && fileOrderTimestamps >= accepted;
  }

  /** Invalid rows over all reasons. */
  public long invalidTotal() {
    return invalid.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * One line for a terminal, e.g. {@code 100836 rows, 100836 accepted, 0 invalid; header:
   * detected}, saying too when rows have no timestamp and their file order stands in for time.
   */
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
    if (header != null) {
      sb.append("; ").append(header);
    }
    if (inFileOrder()) {
      sb.append("; no timestamps: file order stands in for time");
    } else if (fileOrderTimestamps > 0) {
      sb.append("; ").append(fileOrderTimestamps).append(" rows without a timestamp: their row number stands in");
    }
    return sb.toString();
  }
}
