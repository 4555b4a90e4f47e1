package io.perennial.model.sasrec;

import io.perennial.nn.Activation;

/**
 * SASRec's settings (Kang and McAuley, ICDM 2018).
 *
 * @param factors d, the model width (item and positional embeddings, every layer)
 * @param blocks self-attention blocks
 * @param heads attention heads (must divide {@code factors})
 * @param maxLength the longest sequence the model reads (a user is their last {@code maxLength}
 *     items); 0 adapts it to the data: the smallest of 50, 100, 200 that holds three quarters of
 *     the users' histories
 * @param epochs passes over the training windows; 0 adapts it to the data (fewer passes over more
 *     data (see {@code SasrecTrainer.epochsFor})
 * @param batchSize sequences per step
 * @param learningRate Adam's base rate
 * @param warmupSteps linear learning-rate warm-up (0 = none), at most a tenth of the training's steps
 * @param dropout rate on the embeddings, the attention and feed-forward outputs and the
 *     feed-forward hidden layer
 * @param loss {@code BCE} (the paper's: one sampled negative per position) or {@code SOFTMAX}
 *     (sampled-softmax cross-entropy over {@code negatives} items shared by the batch)
 * @param negatives sampled items per step for {@code SOFTMAX} (uniform, with replacement); with at
 *     least as many as there are items, every item is a negative (the full softmax)
 * @param activation of the feed-forward layer ({@code GELU} or {@code RELU})
 * @param weightDecay AdamW's decoupled weight decay on weights and embeddings
 * @param maxGradNorm global gradient-norm clipping (0 = off)
 * @param threads data-parallel workers (the result depends on the seed and this count)
 * @param seed every random choice: initialisation, batches, negatives, dropout
 * @param partialFitEpochs passes over the updated users' windows in {@code partialFit}
 * @param onlineSteps gradient steps per event learned online
 * @param onlineReplay replayed windows of other users in each online step
 * @param dp DP-SGD settings (user-level: an example is one user's training sequence, see {@code
 *     DpSasrecTraining}), or {@code null} to train without differential privacy
 */
public record SasrecConfig(
    int factors,
    int blocks,
    int heads,
    int maxLength,
    int epochs,
    int batchSize,
    float learningRate,
    int warmupSteps,
    float dropout,
    Loss loss,
    int negatives,
    Activation activation,
    float weightDecay,
    float maxGradNorm,
    int threads,
    long seed,
    int partialFitEpochs,
    int onlineSteps,
    int onlineReplay,
    io.perennial.privacy.DpConfig dp) {

  /** The training objective. */
  public enum Loss {
    /** Binary cross-entropy with one sampled negative per position (the paper's). */
    BCE,
    /** Sampled-softmax cross-entropy against negatives shared by the batch. */
    SOFTMAX
  }

  public SasrecConfig {
    if (factors < 1 || blocks < 1 || heads < 1 || factors % heads != 0) {
      throw new IllegalArgumentException("factors, blocks and heads must be >= 1 and heads must divide factors, got "
          + factors + ", " + blocks + ", " + heads);
    }
    if (maxLength < 0 || epochs < 0 || batchSize < 1 || warmupSteps < 0 || negatives < 1 || threads < 1
        || partialFitEpochs < 0 || onlineSteps < 0 || onlineReplay < 0) {
      throw new IllegalArgumentException("maxLength, epochs, warmupSteps, partialFitEpochs, onlineSteps and "
          + "onlineReplay must be >= 0; batchSize, negatives and threads >= 1");
    }
    if (!(learningRate > 0) || !(dropout >= 0 && dropout < 1) || weightDecay < 0 || maxGradNorm < 0) {
      throw new IllegalArgumentException("learningRate must be > 0, dropout in [0, 1), weightDecay and "
          + "maxGradNorm >= 0");
    }
    if (loss == null) {
      loss = Loss.SOFTMAX;
    }
    if (activation == null) {
      activation = Activation.RELU;
    }
  }

  /**
   * Measured on ml-latest-small, leave-one-out against 100 sampled items (docs/BENCHMARKS.md):
   * sampled softmax over 2048 items beat 1024 and 256 and the paper's BCE; batches of 16 (more
   * steps per epoch on few users) beat 32 and 128; dropout 0.5 beat 0.2 on that small set.
   */
  public static SasrecConfig defaults() {
    return new SasrecConfig(64, 2, 1, 0, 0, 16, 2e-3f, 100, 0.5f, Loss.SOFTMAX, 2048, Activation.RELU,
        0f, 5f, 2, 42L, 2, 2, 3, null);
  }

  public SasrecConfig withThreads(int n) {
    return new SasrecConfig(factors, blocks, heads, maxLength, epochs, batchSize, learningRate, warmupSteps,
        dropout, loss, negatives, activation, weightDecay, maxGradNorm, n, seed, partialFitEpochs, onlineSteps,
        onlineReplay, dp);
  }

  /** The same settings reading at most {@code length} items (resolving the adaptive 0). */
  public SasrecConfig withMaxLength(int length) {
    return new SasrecConfig(factors, blocks, heads, length, epochs, batchSize, learningRate, warmupSteps,
        dropout, loss, negatives, activation, weightDecay, maxGradNorm, threads, seed, partialFitEpochs,
        onlineSteps, onlineReplay, dp);
  }

  /** The same settings with {@code n} epochs (resolving the adaptive 0). */
  public SasrecConfig withEpochs(int n) {
    return new SasrecConfig(factors, blocks, heads, maxLength, n, batchSize, learningRate, warmupSteps,
        dropout, loss, negatives, activation, weightDecay, maxGradNorm, threads, seed, partialFitEpochs,
        onlineSteps, onlineReplay, dp);
  }
}
