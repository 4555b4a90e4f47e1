package io.perennial.model;

import java.util.Objects;

/**
 * How to run a training: who hears about progress, and optional early stopping.
 *
 * @param listener progress receiver
 * @param validator metric checked after every epoch ({@code null} = no early stopping)
 * @param patience epochs without improvement before stopping; the best epoch's parameters are kept
 */
public record TrainingOptions(TrainingListener listener, Validator validator, int patience) {

  public TrainingOptions {
    Objects.requireNonNull(listener, "listener");
    if (patience < 1) {
      throw new IllegalArgumentException("patience must be >= 1");
    }
  }

  public static TrainingOptions silent() {
    return new TrainingOptions(TrainingListener.silent(), null, 3);
  }

  public static TrainingOptions of(TrainingListener listener) {
    return new TrainingOptions(listener, null, 3);
  }

  public TrainingOptions withEarlyStopping(Validator v, int epochs) {
    return new TrainingOptions(listener, v, epochs);
  }
}
