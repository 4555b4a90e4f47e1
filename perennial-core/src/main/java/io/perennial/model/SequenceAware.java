package io.perennial.model;

import io.perennial.data.InteractionLog;

/**
 * A model that reads each user as their recent sequence (SASRec): it can take events as context,
 * appending them to the users' sequences so the next recommendation follows them, without learning
 * from them. Leave-one-out evaluation uses it to feed the validation item before the test, as the
 * sequential-recommendation papers do. A write: see the package's concurrency rule.
 */
public interface SequenceAware {

  /**
   * Appends {@code events} (each user's in timestamp order, ties in log order) to the users'
   * sequences and histories, growing the user table as needed; parameters are not changed. Events
   * whose item the model does not know are skipped.
   */
  void observe(InteractionLog events);
}
