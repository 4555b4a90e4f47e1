package io.perennial.server.learn;

import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.model.ModelHealth;
import io.perennial.model.Recommender;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.StoredEvent;

/**
 * Decides whether a model may go live in the server: {@link ModelHealth} on its parameters, with
 * the latest stored events as the sanity holdout (finite scores; a rating model's RMSE on them in
 * range). A retrain, an activation and the checkpoint loaded at start-up all pass it before they
 * replace the served model; the guard of the update strategies uses the same check with the same
 * norm limit.
 */
final class HealthGate {

  /** Latest events scored; enough to see a broken model, few enough to read in milliseconds. */
  private static final int SANITY_EVENTS = 2_000;

  private final EventStore store;
  private final float maxNorm;

  HealthGate(EventStore store, float maxNorm) {
    this.store = store;
    this.maxNorm = maxNorm;
  }

  /**
   * Checks {@code model} against the events stored up to {@code upTo}, numbered by {@code users}
   * and {@code items} (events with ids they lack are skipped).
   */
  ModelHealth.Verdict check(Recommender model, IdIndex users, IdIndex items, long upTo) {
    InteractionLog recent = new InteractionLog(SANITY_EVENTS);
    for (StoredEvent e : store.readAfter(Math.max(-1, upTo - SANITY_EVENTS), SANITY_EVENTS)) {
      if (e.offset() > upTo) {
        break;
      }
      int u = users.indexOf(e.user());
      int i = items.indexOf(e.item());
      if (u >= 0 && i >= 0) {
        recent.add(u, i, e.value(), e.timestamp(), e.type());
      }
    }
    return ModelHealth.check(model, maxNorm, recent);
  }

  /**
   * As {@link #check}, throwing when the model is refused.
   *
   * @param what the model, for the message ("the retrained model", "model version 4")
   * @throws ModelRefusedException naming {@code what} and the reason
   */
  void require(Recommender model, IdIndex users, IdIndex items, long upTo, String what) {
    ModelHealth.Verdict verdict = check(model, users, items, upTo);
    if (!verdict.healthy()) {
      throw new ModelRefusedException(what + " was refused by the health check: " + verdict.reason());
    }
  }
}
