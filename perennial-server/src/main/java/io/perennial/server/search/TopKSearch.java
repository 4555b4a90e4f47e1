package io.perennial.server.search;

import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.server.learn.ServedModel;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * How the server finds a user's top-K: exact scoring, or an approximate index for big catalogues.
 * Implementations must give the same answer as exact scoring whenever they cannot do better, never a
 * wrong one: an index that is still being built or follows another model falls back to exact.
 */
public interface TopKSearch extends AutoCloseable {

  /** Top-{@code k} for a user the model knows; called under the served model's read lock. */
  Recommendations recommend(Recommender model, int user, int k, boolean excludeSeen, IntPredicate filter);

  /**
   * Starts following the served model, so that an index keeps itself current as the model changes
   * in place or is swapped. Exact search needs nothing.
   */
  default void attach(Supplier<ServedModel> served) {}

  /**
   * True when requests on {@code model} get the search this was configured for: an index that must
   * be built first is built. Exact search is always ready.
   */
  default boolean ready(Recommender model) {
    return true;
  }

  /** What the search is doing, for {@code /v1/stats}. */
  default Map<String, Object> status() {
    return Map.of("kind", "exact");
  }

  /** Stops background work. */
  @Override
  default void close() {}

  /** Scores every item: right for small catalogues, and the reference approximate search is measured against. */
  static TopKSearch exact() {
    return Recommender::recommend;
  }
}
