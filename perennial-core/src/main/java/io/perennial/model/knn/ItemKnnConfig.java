package io.perennial.model.knn;

/**
 * @param neighbours neighbours kept per item
 * @param shrinkage added to the cosine denominator, damping similarities built on few co-raters:
 *     {@code sim(i,j) = Σ r_ui r_uj / (‖r_i‖ ‖r_j‖ + shrinkage)}
 * @param threads worker threads for the similarity computation (the result does not depend on it)
 */
public record ItemKnnConfig(int neighbours, float shrinkage, int threads) {
  public ItemKnnConfig {
    if (neighbours < 1 || shrinkage < 0 || threads < 1) {
      throw new IllegalArgumentException("neighbours and threads must be >= 1, shrinkage >= 0");
    }
  }

  public static ItemKnnConfig defaults() {
    return new ItemKnnConfig(100, 10f, Runtime.getRuntime().availableProcessors());
  }
}
