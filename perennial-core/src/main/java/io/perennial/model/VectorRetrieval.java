package io.perennial.model;

/**
 * A model whose top-K can be proposed by a maximum-inner-product search over item vectors, as the
 * server's ANN index does: {@code retrieval(u, i) = q_u · v_i + b_i}. For factor models and SASRec
 * that is the model's score itself; for a model whose score is not a dot product (NeuMF) it is a
 * cheaper proxy, and the search's candidates are re-ranked with {@link Recommender#score}
 * (two-stage retrieval and ranking).
 *
 * <p>The arrays are live views, read under the model's read lock (see the package's concurrency
 * rule); they may be replaced by a bigger one when the tables grow.
 */
public interface VectorRetrieval {

  /** Columns of the item and query vectors. */
  int retrievalDims();

  /** Item vectors, {@code itemCount × retrievalDims()} row-major (rows beyond the item count are unused). */
  float[] retrievalItemVectors();

  /** Additive per-item term of the retrieval score, or {@code null} for none. */
  float[] retrievalItemBias();

  /**
   * Writes the query vector of a stored user into {@code out[0..retrievalDims())}; false when the
   * model has none for the user (then the caller falls back to the model's exact top-K).
   */
  boolean retrievalQuery(int user, float[] out);

  /**
   * How many candidates the search should propose for a top-{@code k} before they are re-ranked
   * with {@link Recommender#score}: {@code k} itself when the retrieval score is the model's score
   * (the searcher adds its own margin), more for a proxy.
   */
  default int retrievalCandidates(int k) {
    return k;
  }
}
