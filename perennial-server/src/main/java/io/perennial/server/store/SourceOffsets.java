package io.perennial.server.store;

import java.util.Map;

/**
 * Positions reached in an external, partitioned log by the events of one append: for each
 * partition, the offset of the next record to read. Stored with the events in one transaction.
 *
 * @param source the log's name, e.g. {@code kafka:events} (topic {@code events})
 * @param nextOffsets partition → next offset to read
 */
public record SourceOffsets(String source, Map<Integer, Long> nextOffsets) {
  /** Copies the map, so the caller may go on changing its own. */
  public SourceOffsets {
    nextOffsets = Map.copyOf(nextOffsets);
  }
}
