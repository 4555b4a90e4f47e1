package io.perennial.model;

import java.util.function.IntToDoubleFunction;
import java.util.function.Supplier;

/**
 * The training loop the iterative algorithms share: run epochs, report progress, and stop early
 * when the validator stops improving, restoring the best epoch's parameters.
 *
 * <p>Call order: {@link #run} with the epoch body (returns the epoch's loss), a snapshot function
 * and a restore function.
 */
public final class EpochLoop {

  private EpochLoop() {}

  /**
   * @param epochs planned epochs
   * @param eventsPerEpoch for the throughput figure
   * @param body runs epoch {@code e} (0-based) and returns its loss
   * @param snapshot copies the current parameters (called only with a validator)
   * @param restore puts a snapshot back
   * @return the number of epochs run
   */
  public static <S> int run(
      String model,
      Recommender recommender,
      int epochs,
      long eventsPerEpoch,
      TrainingOptions options,
      IntToDoubleFunction body,
      Supplier<S> snapshot,
      java.util.function.Consumer<S> restore) {
    long start = System.nanoTime();
    Validator validator = options.validator();
    double best = Double.NaN;
    int bestEpoch = 0;
    S bestState = null;
    int epoch = 0;
    while (epoch < epochs) {
      long t0 = System.nanoTime();
      double loss = body.applyAsDouble(epoch);
      epoch++;
      double seconds = (System.nanoTime() - t0) / 1e9;
      double metric = Double.NaN;
      if (validator != null) {
        metric = validator.evaluate(recommender);
        boolean better =
            Double.isNaN(best) || (validator.higherIsBetter() ? metric > best : metric < best);
        if (better) {
          best = metric;
          bestEpoch = epoch;
          bestState = snapshot.get();
        }
      }
      options.listener().onEpoch(model, new EpochReport(epoch, epochs, loss,
          eventsPerEpoch / Math.max(seconds, 1e-9), (System.nanoTime() - start) / 1e9, metric));
      if (validator != null && epoch - bestEpoch >= options.patience()) {
        break;
      }
    }
    if (validator != null && bestState != null && bestEpoch != epoch) {
      restore.accept(bestState);
      options.listener().onEarlyStop(model, bestEpoch, best);
    }
    return epoch;
  }
}
