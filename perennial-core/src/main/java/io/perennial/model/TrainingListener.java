package io.perennial.model;

/** Receives training progress; the CLI renders it on a terminal. */
@FunctionalInterface
public interface TrainingListener {

  void onEpoch(String model, EpochReport report);

  /**
   * Whether this listener shows the training loss (a progress line on a terminal does); models
   * whose loss costs a pass of its own compute it only then or when told to ({@link
   * TrainingOptions#lossWanted}).
   */
  default boolean showsLoss() {
    return false;
  }

  /** Called once when training stops early, with the epoch whose parameters were kept. */
  default void onEarlyStop(String model, int bestEpoch, double bestValidation) {}

  static TrainingListener silent() {
    return (model, report) -> {};
  }
}
