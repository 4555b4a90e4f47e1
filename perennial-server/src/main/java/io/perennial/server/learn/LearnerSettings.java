package io.perennial.server.learn;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.continual.StrategyConfig;
import io.perennial.model.Algorithms;
import io.perennial.model.quantized.Quantization;
import java.util.List;

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
 * @param serving the form requests are answered by: the learned model ({@code NONE}) or an int8
 *     copy of its tables ({@code INT8}, factor models only; see {@link Learner})
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
    long seed,
    Quantization serving) {

  /** The models whose tables int8 serving can quantise. */
  public static final List<String> QUANTIZABLE = List.of("mf", "bpr", "ials");

  /** Settings that serve the learned model as it is (no quantisation). */
  public LearnerSettings(String algorithm, JsonNode modelConfig, String strategy, StrategyConfig strategyConfig,
      long retrainEveryEvents, long checkpointEveryMillis, int maxBatch, double prequentialSample,
      int minEventsToTrain, long seed) {
    this(algorithm, modelConfig, strategy, strategyConfig, retrainEveryEvents, checkpointEveryMillis, maxBatch,
        prequentialSample, minEventsToTrain, seed, Quantization.NONE);
  }

  /** These settings answering requests in {@code form}. */
  public LearnerSettings servedAs(Quantization form) {
    return new LearnerSettings(algorithm, modelConfig, strategy, strategyConfig, retrainEveryEvents,
        checkpointEveryMillis, maxBatch, prequentialSample, minEventsToTrain, seed, form);
  }

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
    if (serving == null) {
      serving = Quantization.NONE;
    }
    if (serving != Quantization.NONE && !QUANTIZABLE.contains(algorithm)) {
      throw new IllegalArgumentException(serving.label() + " serving quantises a factor model's tables; model '" + algorithm
          + "' has none (expected one of " + QUANTIZABLE + ")");
    }
    // The config is checked now, where the caller can report it, not when the first training starts.
    Algorithms.trainer(algorithm, modelConfig);
  }
}
