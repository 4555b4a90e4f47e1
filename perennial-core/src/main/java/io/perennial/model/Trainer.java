package io.perennial.model;

import io.perennial.data.Dataset;

/** Trains one algorithm from a dataset. Same config, seed and data give the same model on one thread. */
public interface Trainer {

  /** Algorithm name, as in {@link Recommender#type()}. */
  String type();

  /** The config in effect, as JSON (stored in checkpoints for provenance). */
  com.fasterxml.jackson.databind.JsonNode configJson();

  /**
   * Trains a new model on all of {@code train}, reporting progress and stopping as {@code options}
   * say. A trainer whose config sizes its tables first passes them through {@link
   * MemoryBudget#check}, so a config too large for the heap fails before anything is allocated.
   */
  Recommender fit(Dataset train, TrainingOptions options);

  /**
   * About how many bytes training on and serving {@code users × items} with {@code interactions}
   * takes at this config: the tables and the state that grow with the config's sizes, not the data
   * set itself. 0 when nothing in the config scales the memory.
   */
  default long estimatedBytes(int users, int items, long interactions) {
    return 0;
  }

  /** Trains a new model on all of {@code train}, silently and without early stopping. */
  default Recommender fit(Dataset train) {
    return fit(train, TrainingOptions.silent());
  }
}
