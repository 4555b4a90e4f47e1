package io.perennial.model.sasrec;

import io.perennial.model.UserHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times SASRec training steps on synthetic sequences (every window full length, items uniform),
 * for {@code perennial bench deep}. Not a test: the figures depend on the machine and its load.
 */
public final class SasrecBenchmark {

  private SasrecBenchmark() {}

  /**
   * Step timings.
   *
   * @param medianMs median wall-clock milliseconds per step
   * @param minMs fastest step
   * @param steps timed steps
   */
  public record StepTimes(double medianMs, double minMs, int steps) {}

  /**
   * Times {@code steps} training steps of {@code batch} sequences of {@code length} items over a
   * table of {@code items}, after {@code warmup} untimed ones (the JIT's).
   */
  public static StepTimes trainingSteps(SasrecConfig config, int items, int batch, int length, int warmup,
      int steps) {
    if (items < 2 || batch < 1 || length < 2 || steps < 1 || warmup < 0) {
      throw new IllegalArgumentException("need items >= 2, batch >= 1, length >= 2, steps >= 1, warmup >= 0");
    }
    SasrecConfig cfg = config.withMaxLength(length);
    SasrecNetwork network = new SasrecNetwork(items, cfg.factors(), cfg.blocks(), cfg.heads(), length, cfg.dropout(),
        cfg.activation(), cfg.seed());
    SplittableRandom random = new SplittableRandom(cfg.seed());
    List<SasrecSteps.Window> windows = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      int[] seq = new int[length + 1];
      for (int t = 0; t < seq.length; t++) {
        seq[t] = random.nextInt(items);
      }
      windows.add(new SasrecSteps.Window(-1, seq, 0, length));
    }
    double[] times = new double[steps];
    try (SasrecSteps stepper = new SasrecSteps(network, cfg, batch, 0, new UserHistory(0), items)) {
      for (int s = 0; s < warmup + steps; s++) {
        long t0 = System.nanoTime();
        stepper.step(windows, 0, batch, s);
        if (s >= warmup) {
          times[s - warmup] = (System.nanoTime() - t0) / 1e6;
        }
      }
    }
    Arrays.sort(times);
    double median = steps % 2 == 1 ? times[steps / 2] : (times[steps / 2 - 1] + times[steps / 2]) / 2;
    return new StepTimes(median, times[0], steps);
  }
}
