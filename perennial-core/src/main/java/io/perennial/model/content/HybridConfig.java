package io.perennial.model.content;

/**
 * @param base the collaborative model whose item vectors the content is mapped to; any {@link
 *     io.perennial.model.VectorRetrieval} model ({@code ials}, {@code bpr}, {@code mf}), trained with
 *     its defaults
 * @param features content vectors to map from (see {@link ContentFeatures})
 * @param maxTerms largest TF-IDF vocabulary
 * @param ridge λ of the ridge regression from content to item vectors
 * @param mapIterations conjugate-gradient steps of the regression
 * @param mapMinEvents fewest training events an item needs to be a regression example (rarer
 *     items' learned vectors are mostly their prior)
 * @param blendEvents an item's vector is {@code (n·learned + blendEvents·mapped) / (n + blendEvents)}
 *     after n events: mapped at once, learned as events arrive
 * @param seed passed to nothing random here (the base model has its own); kept for uniformity
 */
public record HybridConfig(String base, String features, int maxTerms, float ridge, int mapIterations,
    int mapMinEvents, float blendEvents, long seed) {

  /** Checks the fields. */
  public HybridConfig {
    if (!ContentFeatures.KINDS.contains(features)) {
      throw new IllegalArgumentException("features must be one of " + ContentFeatures.KINDS + ", got '" + features + "'");
    }
    if (base == null || base.equals("hybrid") || base.equals("content")) {
      throw new IllegalArgumentException("base must be a collaborative model with item vectors (ials, bpr, mf), got '" + base + "'");
    }
    if (maxTerms < 1 || mapIterations < 1 || mapMinEvents < 1) {
      throw new IllegalArgumentException("maxTerms, mapIterations and mapMinEvents must be >= 1");
    }
    if (!(ridge > 0) || !(blendEvents >= 0)) {
      throw new IllegalArgumentException("ridge must be > 0 and blendEvents >= 0");
    }
  }

  public static HybridConfig defaults() {
    return new HybridConfig("ials", "tfidf", 5000, 1f, 60, 1, 10f, 42L);
  }
}
