package io.perennial.model;

/** Receives training progress; the CLI renders it on a terminal. */
@FunctionalInterface
public interface TrainingListener {

  void onEpoch(String model, EpochReport report);

  /** Called once when training stops early, with the epoch whose parameters were kept. */
  default void onEarlyStop(String model, int bestEpoch, double bestValidation) {}

  static TrainingListener silent() {
    return (model, report) -> {};
  }
}
