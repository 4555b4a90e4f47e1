package io.perennial.model;

import io.perennial.data.InteractionLog;
import java.util.Objects;

/**
 * One update request for {@link Recommender#partialFit(Update)}: what to learn, what to replay,
 * how far the tables grow, and how to protect what the model already knows.
 *
 * <p>One request type instead of a family of overloads, so a model states once what it honours
 * and a new option (or a new model) does not add a signature. Start from {@link #of} and add what
 * the update needs:
 *
 * <pre>{@code
 * model.partialFit(Update.of(batch, users, items).withReplay(past).withStability(s).withTeacher(t));
 * }</pre>
 *
 * <p>Models ignore the parts they have no use for: popularity and item-kNN only record the events;
 * iALS re-solves rows from their whole history, so it ignores replay and distillation and honours
 * the anchor; MF honours replay only; BPR honours all of it.
 *
 * @param events the new events, learned and recorded in the model's histories
 * @param replay past events mixed into the training so the update does not forget; trained on, not
 *     recorded again (empty for none)
 * @param users the user table grows to at least this many rows; every user index in {@code events}
 *     and {@code replay} is below it
 * @param items the item table grows to at least this many rows; every item index in {@code events}
 *     and {@code replay} is below it
 * @param stability forgetting protection: anchor pull, optionally Fisher-weighted, and distillation
 *     ({@link Stability#none()} for plain fine-tuning)
 * @param teacher the model distillation learns from, an earlier version of this model that the
 *     update does not modify; {@code null} means the model as it was before this update
 */
public record Update(InteractionLog events, InteractionLog replay, int users, int items, Stability stability,
    Recommender teacher) {

  /** Checks every component; a request that names an index beyond its sizes is refused here, not half-applied. */
  public Update {
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(replay, "replay (use an empty log for none)");
    Objects.requireNonNull(stability, "stability (use Stability.none())");
    if (users < 0 || items < 0) {
      throw new IllegalArgumentException("users and items must be >= 0, got " + users + " and " + items);
    }
    checkBounds("events", events, users, items);
    checkBounds("replay", replay, users, items);
  }

  /** Learn {@code events}, growing the tables to {@code users} × {@code items}; no replay, no protection. */
  public static Update of(InteractionLog events, int users, int items) {
    return new Update(events, new InteractionLog(1), users, items, Stability.none(), null);
  }

  /** This request, also replaying {@code past}. */
  public Update withReplay(InteractionLog past) {
    return new Update(events, past, users, items, stability, teacher);
  }

  /** This request with forgetting protection {@code protection}. */
  public Update withStability(Stability protection) {
    return new Update(events, replay, users, items, protection, teacher);
  }

  /** This request distilling from {@code earlier} ({@code null}: the model before the update). */
  public Update withTeacher(Recommender earlier) {
    return new Update(events, replay, users, items, stability, earlier);
  }

  private static void checkBounds(String name, InteractionLog log, int users, int items) {
    for (int e = 0; e < log.size(); e++) {
      int user = log.user(e);
      int item = log.item(e);
      if (user < 0 || user >= users || item < 0 || item >= items) {
        throw new IllegalArgumentException(name + " event " + e + " (user " + user + ", item " + item
            + ") lies outside the update's sizes " + users + " users × " + items + " items");
      }
    }
  }
}
