package io.perennial.model.content;

/**
 * @param features which content vectors: {@code genres}, {@code tfidf}, {@code text} or {@code
 *     tfidf+text} (see {@link ContentFeatures})
 * @param maxTerms largest TF-IDF vocabulary (the most frequent terms)
 * @param recencyDecay each newer event of a user multiplies the weight of the user's earlier ones
 *     by this (1 = a plain mean): a user's profile leans toward what they did last
 * @param seed unused by the arithmetic (nothing is random); kept so every config carries one
 */
public record ContentConfig(String features, int maxTerms, float recencyDecay, long seed) {

  /** Checks the fields. */
  public ContentConfig {
    if (!ContentFeatures.KINDS.contains(features)) {
      throw new IllegalArgumentException("features must be one of " + ContentFeatures.KINDS + ", got '" + features + "'");
    }
    if (maxTerms < 1) {
      throw new IllegalArgumentException("maxTerms must be >= 1, got " + maxTerms);
    }
    if (!(recencyDecay > 0) || recencyDecay > 1) {
      throw new IllegalArgumentException("recencyDecay must be in (0, 1], got " + recencyDecay);
    }
  }

  /** TF-IDF over titles, decades, genres and tags; a gentle recency weighting (0.998 per newer event: a stronger one, 0.99 or 0.95, lost 0.03-0.06 HR@10 on ml-latest-small cold items). */
  public static ContentConfig defaults() {
    return new ContentConfig("tfidf", 5000, 0.998f, 42L);
  }
}
