package io.perennial.data;

/**
 * One event: a user did something to an item.
 *
 * @param user dense user index (see {@link IdIndex})
 * @param item dense item index
 * @param value rating or weight; 1 for plain implicit events
 * @param timestamp epoch seconds
 * @param type what kind of behaviour
 */
public record Interaction(int user, int item, float value, long timestamp, InteractionType type) {
  public Interaction {
    if (user < 0 || item < 0) {
      throw new IllegalArgumentException("negative index: user=" + user + " item=" + item);
    }
    if (!Float.isFinite(value)) {
      throw new IllegalArgumentException("value must be finite, got " + value);
    }
  }
}
