package io.perennial.model;

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
   * Applies one update in place: learns {@code update.events()} (recording them in the histories),
   * trains on {@code update.replay()} without recording it, grows the tables to at least
   * {@code update.users()} × {@code update.items()}, and protects earlier knowledge as
   * {@code update.stability()} asks, distilling from {@code update.teacher()} when given. Parts a
   * model has no use for are ignored (see {@link Update}). A write: see the package's concurrency
   * rule; to keep serving the old model meanwhile, update a copy ({@link Algorithms#copy}) and swap.
   */
  void partialFit(Update update);

  /** Everything needed to restore this model from a checkpoint. */
  ModelState state();
}
