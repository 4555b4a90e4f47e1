package io.perennial.server.store;

/**
 * What a committed append did.
 *
 * @param stored events newly stored
 * @param duplicates events skipped because their id was already stored
 * @param lastOffset offset of the last event stored by this append (-1 when none)
 */
public record AppendResult(int stored, int duplicates, long lastOffset) {}
