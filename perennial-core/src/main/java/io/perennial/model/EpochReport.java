package io.perennial.model;

/**
 * Progress of one training epoch.
 *
 * @param epoch 1-based epoch just finished
 * @param totalEpochs epochs planned
 * @param loss training loss of the epoch (algorithm-specific; NaN when not computed)
 * @param eventsPerSecond training throughput of the epoch
 * @param elapsedSeconds wall time since training started
 * @param validation the early-stopping metric after this epoch (NaN without a validator)
 */
public record EpochReport(
    int epoch, int totalEpochs, double loss, double eventsPerSecond, double elapsedSeconds, double validation) {

  /** Estimated seconds to finish, from the mean epoch time so far. */
  public double etaSeconds() {
    return epoch == 0 ? Double.NaN : elapsedSeconds / epoch * (totalEpochs - epoch);
  }
}
