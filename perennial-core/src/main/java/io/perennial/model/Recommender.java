package io.perennial.model;

import io.perennial.data.InteractionLog;
import java.util.function.IntPredicate;

/**
 * A trained recommender over dense user and item indices.
 *
 * <p>Unknown users (index outside the model, or no history and no vector) get the popularity
 * fallback, never an exception. See the package documentation for the concurrency rule.
 */
public interface Recommender {

  /** Algorithm name as used on the command line: {@code pop}, {@code itemknn}, {@code mf}, … */
  String type();

  /** Users the model has rows for (dense indices {@code 0..userCount-1}). */
  int userCount();

  /** Items the model has rows for (dense indices {@code 0..itemCount-1}). */
  int itemCount();

  /** Score of one (user, item) pair; for rating models a predicted rating. */
  float score(int user, int item);

  /**
   * Top-{@code k} items for a stored user.
   *
   * @param excludeSeen leave out items the user interacted with in training
   * @param filter keep only items for which this returns true ({@code null} = all)
   */
  Recommendations recommend(int user, int k, boolean excludeSeen, IntPredicate filter);

  /**
   * Writes the score of every item for {@code user} into {@code out} (length ≥ item count); unknown
   * users get popularity scores.
   */
  void scoreItems(int user, float[] out);

  /** Top-{@code k} for a folded-in user; the query's items are always excluded. */
  Recommendations recommend(UserQuery user, int k, IntPredicate filter);

  /** The {@code k} items most similar to {@code item} (the item itself excluded). */
  Recommendations similarItems(int item, int k);

  /**
   * Builds a query for a user known only by these interactions, without storing it: iALS solves the
   * user's vector against the cached Gram matrix, SGD models take a few steps, neighbourhood models
   * use the items directly.
   */
  UserQuery foldInUser(int[] items, float[] values);

  /**
   * Learns from new events, growing the tables for users and items up to {@code userCount} and
   * {@code itemCount}. A write: see the package's concurrency rule.
   */
  void partialFit(InteractionLog events, int userCount, int itemCount);

  /**
   * As {@link #partialFit(InteractionLog, int, int)}, also training on {@code replay}: past events
   * mixed in so the update does not forget (they are not recorded again). Models whose update
   * re-solves rows from the full history (iALS) or that do not train (popularity, item-kNN) have
   * nothing to forget and ignore it.
   */
  default void partialFit(InteractionLog events, InteractionLog replay, int userCount, int itemCount) {
    partialFit(events, userCount, itemCount);
  }

  /**
   * As {@link #partialFit(InteractionLog, InteractionLog, int, int)} with forgetting protection
   * (anchor regularisation, optionally Fisher-weighted, and distillation from the model before the
   * update). Models that do not train by gradient steps ignore it.
   */
  default void partialFit(InteractionLog events, InteractionLog replay, int userCount, int itemCount,
      Stability stability) {
    partialFit(events, replay, userCount, itemCount);
  }

  /**
   * As {@link #partialFit(InteractionLog, InteractionLog, int, int, Stability)}, distilling from
   * {@code teacher} (an earlier version of this model, not modified) instead of the model before
   * the update; null means the model before the update. Models without distillation ignore it.
   */
  default void partialFit(InteractionLog events, InteractionLog replay, int userCount, int itemCount,
      Stability stability, Recommender teacher) {
    partialFit(events, replay, userCount, itemCount, stability);
  }

  /** Everything needed to restore this model from a checkpoint. */
  ModelState state();
}
