package io.perennial.model.random;

/** @param seed fixes every (user, item) score */
public record RandomConfig(long seed) {

  public static RandomConfig defaults() {
    return new RandomConfig(42L);
  }
}
