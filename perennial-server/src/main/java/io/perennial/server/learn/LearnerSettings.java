package io.perennial.server.learn;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.continual.StrategyConfig;
import io.perennial.model.Algorithms;

/**
 * How the background learner keeps the served model fresh.
 *
 * @param algorithm model to train: any of {@link Algorithms#NAMES}
 * @param modelConfig overrides of the algorithm's defaults
 * @param strategy update strategy: {@code online}, {@code incremental}, {@code full}, {@code static},
 *     {@code gated} (around online), {@code gated-incremental}, or {@code hybrid} (online plus a
 *     background full retrain every {@code retrainEveryEvents})
 * @param strategyConfig intervals, replay, gate and guard settings
 * @param retrainEveryEvents events between the background retrains of {@code hybrid} (0 = never)
 * @param checkpointEveryMillis how often the running model is checkpointed when it has changed
 * @param maxBatch events applied per lock hold; bounds how long readers of an in-place model wait
 * @param prequentialSample fraction of events first tested against the served model (HR@10)
 * @param minEventsToTrain events the store must hold before the first model is trained
 * @param seed seed of the sampling the learner itself does
 */
public record LearnerSettings(
    String algorithm,
    JsonNode modelConfig,
    String strategy,
    StrategyConfig strategyConfig,
    long retrainEveryEvents,
    long checkpointEveryMillis,
    int maxBatch,
    double prequentialSample,
    int minEventsToTrain,
    long seed) {

  public LearnerSettings {
    if (maxBatch < 1 || checkpointEveryMillis < 1 || minEventsToTrain < 1 || retrainEveryEvents < 0
        || prequentialSample < 0 || prequentialSample > 1) {
      throw new IllegalArgumentException("learner settings out of range");
    }
    if (algorithm == null || !Algorithms.NAMES.contains(algorithm)) {
      throw new IllegalArgumentException("unknown model '" + algorithm + "' (expected one of " + Algorithms.NAMES + ")");
    }
    if (Algorithms.needsContent(algorithm)) {
      throw new IllegalArgumentException("model '" + algorithm + "' needs item content, which the server's learner "
          + "does not hand to models yet; serve a collaborative model (e.g. ials)");
    }
    // The config is checked now, where the caller can report it, not when the first training starts.
    Algorithms.trainer(algorithm, modelConfig);
  }
}
