package io.perennial.model;

import io.perennial.data.Dataset;

/** Trains one algorithm from a dataset. Same config, seed and data give the same model on one thread. */
public interface Trainer {

  /** Algorithm name, as in {@link Recommender#type()}. */
  String type();

  /** The config in effect, as JSON (stored in checkpoints for provenance). */
  com.fasterxml.jackson.databind.JsonNode configJson();

  Recommender fit(Dataset train, TrainingOptions options);

  default Recommender fit(Dataset train) {
    return fit(train, TrainingOptions.silent());
  }
}
