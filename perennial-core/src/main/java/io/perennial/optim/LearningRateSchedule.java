package io.perennial.optim;

/** Learning rate as a function of the step count. Implementations are immutable records. */
public sealed interface LearningRateSchedule
    permits LearningRateSchedule.Constant,
        LearningRateSchedule.StepDecay,
        LearningRateSchedule.Cosine,
        LearningRateSchedule.LinearWarmup {

  /** Rate at {@code step} (0-based) for base rate {@code base}. */
  float rate(float base, long step);

  static LearningRateSchedule constant() {
    return new Constant();
  }

  /** The base rate at every step. */
  record Constant() implements LearningRateSchedule {
    @Override
    public float rate(float base, long step) {
      return base;
    }
  }

  /** {@code base · gamma^(step / every)}. */
  record StepDecay(long every, float gamma) implements LearningRateSchedule {
    public StepDecay {
      if (every <= 0 || !(gamma > 0)) {
        throw new IllegalArgumentException("every must be > 0 and gamma > 0");
      }
    }

    @Override
    public float rate(float base, long step) {
      return (float) (base * Math.pow(gamma, step / every));
    }
  }

  /**
   * Cosine annealing from {@code base} to {@code minRate} over {@code totalSteps}: {@code min + (base
   * - min)(1 + cos(π t / T)) / 2}, then {@code minRate}.
   */
  record Cosine(long totalSteps, float minRate) implements LearningRateSchedule {
    public Cosine {
      if (totalSteps <= 0) {
        throw new IllegalArgumentException("totalSteps must be > 0");
      }
    }

    @Override
    public float rate(float base, long step) {
      if (step >= totalSteps) {
        return minRate;
      }
      return (float) (minRate + (base - minRate) * (1 + Math.cos(Math.PI * step / totalSteps)) / 2);
    }
  }

  /** Linear ramp from {@code base / warmupSteps} to {@code base}, then {@code after}. */
  record LinearWarmup(long warmupSteps, LearningRateSchedule after) implements LearningRateSchedule {
    public LinearWarmup {
      if (warmupSteps <= 0 || after == null) {
        throw new IllegalArgumentException("warmupSteps must be > 0 and after non-null");
      }
    }

    @Override
    public float rate(float base, long step) {
      if (step < warmupSteps) {
        return base * (step + 1) / warmupSteps;
      }
      return after.rate(base, step - warmupSteps);
    }
  }
}
