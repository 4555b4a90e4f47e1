package io.perennial.model;

/**
 * A model that learns from one event at a time, in place: the {@code online} update strategy.
 * Tables grow for users and items first seen in the event. A write: see the package's concurrency
 * rule.
 */
public interface OnlineLearner {

  /**
   * Learns the event (user, item, value) now.
   *
   * @param timestamp event time, epoch seconds (time-decayed models use it)
   */
  void learnOnline(int user, int item, float value, long timestamp);
}
