package io.perennial.server.http;

import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import java.util.function.IntPredicate;

/** How the server finds a user's top-K: exact scoring, or an approximate index for big catalogues. */
public interface TopKSearch {

  /** Top-{@code k} for a user the model knows; called under the served model's read lock. */
  Recommendations recommend(Recommender model, int user, int k, boolean excludeSeen, IntPredicate filter);

  /** Scores every item: right for small catalogues, and the reference approximate search is measured against. */
  static TopKSearch exact() {
    return Recommender::recommend;
  }
}
