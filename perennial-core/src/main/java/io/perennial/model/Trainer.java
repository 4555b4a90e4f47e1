package io.perennial.model;

import io.perennial.data.Dataset;

/** Trains one algorithm from a dataset. Same config, seed and data give the same model on one thread. */
public interface Trainer {

  /** Algorithm name, as in {@link Recommender#type()}. */
  String type();

  /** The config in effect, as JSON (stored in checkpoints for provenance). */
  com.fasterxml.jackson.databind.JsonNode configJson();

  /** Trains a new model on all of {@code train}, reporting progress and stopping as {@code options} say. */
  Recommender fit(Dataset train, TrainingOptions options);

  /** Trains a new model on all of {@code train}, silently and without early stopping. */
  default Recommender fit(Dataset train) {
    return fit(train, TrainingOptions.silent());
  }
}
