package io.perennial.data;

/** What a reader does with a row it cannot parse. */
public enum ErrorPolicy {
  /** Stop at the first invalid row with a {@link DataFormatException}. */
  FAIL,
  /** Drop invalid rows and count them, by reason, in the {@link ReadReport}. */
  SKIP
}
