package io.perennial.optim;

import java.util.Objects;

/**
 * Optimiser settings.
 *
 * @param kind algorithm
 * @param learningRate base rate, shaped by {@code schedule}
 * @param momentum momentum coefficient (Momentum, Nesterov)
 * @param beta1 first-moment decay (Adam)
 * @param beta2 second-moment decay (Adam); also the RMSprop decay
 * @param epsilon denominator guard (Adagrad, RMSprop, Adam)
 * @param l2 L2 penalty coefficient added to the gradient: {@code g += l2 · θ}
 * @param weightDecay decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay
 *     Regularization", ICLR 2019): {@code θ -= lr · weightDecay · θ} after the step
 * @param clipValue clamp each gradient component to {@code [-clipValue, clipValue]} (0 = off)
 * @param clipNorm rescale a row's gradient whose L2 norm exceeds this (0 = off)
 * @param schedule learning-rate schedule
 */
public record OptimizerConfig(
    OptimizerKind kind,
    float learningRate,
    float momentum,
    float beta1,
    float beta2,
    float epsilon,
    float l2,
    float weightDecay,
    float clipValue,
    float clipNorm,
    LearningRateSchedule schedule) {

  public OptimizerConfig {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(schedule, "schedule");
    if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be a positive number, got " + learningRate);
    }
    if (momentum < 0 || momentum >= 1 || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
      throw new IllegalArgumentException("momentum, beta1 and beta2 must be in [0, 1)");
    }
    if (!(epsilon > 0) || l2 < 0 || weightDecay < 0 || clipValue < 0 || clipNorm < 0) {
      throw new IllegalArgumentException(
          "epsilon must be > 0; l2, weightDecay, clipValue and clipNorm must be >= 0");
    }
  }

  /** Plain SGD at {@code learningRate}, nothing else. */
  public static OptimizerConfig sgd(float learningRate) {
    return new OptimizerConfig(OptimizerKind.SGD, learningRate, 0.9f, 0.9f, 0.999f, 1e-8f, 0, 0, 0, 0,
        LearningRateSchedule.constant());
  }

  /** The same settings with another algorithm. */
  public OptimizerConfig withKind(OptimizerKind k) {
    return new OptimizerConfig(k, learningRate, momentum, beta1, beta2, epsilon, l2, weightDecay,
        clipValue, clipNorm, schedule);
  }

  public OptimizerConfig withL2(float coefficient) {
    return new OptimizerConfig(kind, learningRate, momentum, beta1, beta2, epsilon, coefficient,
        weightDecay, clipValue, clipNorm, schedule);
  }

  public OptimizerConfig withWeightDecay(float decay) {
    return new OptimizerConfig(kind, learningRate, momentum, beta1, beta2, epsilon, l2, decay,
        clipValue, clipNorm, schedule);
  }

  public OptimizerConfig withClipping(float value, float norm) {
    return new OptimizerConfig(kind, learningRate, momentum, beta1, beta2, epsilon, l2, weightDecay,
        value, norm, schedule);
  }

  public OptimizerConfig withSchedule(LearningRateSchedule s) {
    return new OptimizerConfig(kind, learningRate, momentum, beta1, beta2, epsilon, l2, weightDecay,
        clipValue, clipNorm, s);
  }
}
