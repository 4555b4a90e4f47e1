package io.perennial.model;

import java.util.Objects;

/**
 * How to run a training: who hears about progress, optional early stopping, and when the training
 * loss is worth its cost.
 *
 * @param listener progress receiver
 * @param validator metric checked after every epoch ({@code null} = no early stopping)
 * @param patience epochs without improvement before stopping; the best epoch's parameters are kept
 * @param lossEvery compute the training loss every this many epochs (0 = only when the listener
 *     shows it or early stopping runs); epochs without it report NaN
 */
public record TrainingOptions(TrainingListener listener, Validator validator, int patience, int lossEvery) {

  public TrainingOptions {
    Objects.requireNonNull(listener, "listener");
    if (patience < 1) {
      throw new IllegalArgumentException("patience must be >= 1");
    }
    if (lossEvery < 0) {
      throw new IllegalArgumentException("lossEvery must be >= 0");
    }
  }

  /** Without a loss schedule: the loss is computed when the listener shows it or with a validator. */
  public TrainingOptions(TrainingListener listener, Validator validator, int patience) {
    this(listener, validator, patience, 0);
  }

  public static TrainingOptions silent() {
    return new TrainingOptions(TrainingListener.silent(), null, 3);
  }

  public static TrainingOptions of(TrainingListener listener) {
    return new TrainingOptions(listener, null, 3);
  }

  public TrainingOptions withEarlyStopping(Validator v, int epochs) {
    return new TrainingOptions(listener, v, epochs, lossEvery);
  }

  /** The loss computed after every {@code n}-th epoch (1 = all), whoever listens. */
  public TrainingOptions withLossEvery(int n) {
    return new TrainingOptions(listener, validator, patience, n);
  }

  /**
   * Whether epoch {@code epoch} (0-based) should compute its training loss: a model whose loss is a
   * separate pass over the data (iALS) skips it otherwise, so a timed epoch does only training.
   */
  public boolean lossWanted(int epoch) {
    return listener.showsLoss() || validator != null || (lossEvery > 0 && (epoch + 1) % lossEvery == 0);
  }
}
