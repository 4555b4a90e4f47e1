package io.perennial.data;

/** What to do when a (user, item) pair occurs more than once. */
public enum DuplicatePolicy {
  /** Keep every event (a stream of repeated interactions). */
  KEEP_ALL,
  /** Keep the latest occurrence (a re-rating replaces the old rating). */
  KEEP_LAST,
  /** Keep the first occurrence. */
  KEEP_FIRST,
  /** Keep one event whose value is the sum of all occurrences (repeated implicit events). */
  SUM
}
