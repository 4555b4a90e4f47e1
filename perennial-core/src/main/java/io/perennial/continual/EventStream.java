package io.perennial.continual;

/**
 * An ordered, checkpointable source of events. Offsets are monotone; a consumer that recorded the
 * last offset it learned from calls {@link #seek} with that offset plus one after a restart, so no
 * event is learned twice and none is skipped.
 */
public interface EventStream {

  boolean hasNext();

  StreamEvent next();

  /** Offset of the event {@link #next} will return. */
  long position();

  /** Moves so that the next event returned has offset {@code offset}. */
  void seek(long offset);
}
