package io.perennial.model.sasrec;

import io.perennial.nn.Activation;
import java.util.List;
import java.util.Locale;

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
 * @param augment CL4SRec's augmentation operators ({@code crop}, {@code mask}, {@code reorder}) each
 *     view draws one of; empty = no augmentation
 * @param cropRatio η, the kept share of a cropped sequence (0 = the default 0.6)
 * @param maskRatio γ, the masked share of a masked sequence's positions
 * @param reorderRatio β, the shuffled share of a reordered sequence
 * @param contrastiveWeight weight of the contrastive auxiliary loss (two views of every training
 *     window's input, NT-Xent over the batch's final states) added to the next-item loss; 0 = none.
 *     Applies only with {@code augment}
 * @param contrastiveTemperature τ of the contrastive loss (0 = the default 1)
 * @param augmentExtra also train each epoch on an augmented copy of every window with the ordinary
 *     next-item loss (the "extra training sequences" use); only with {@code augment}
 * @param contrastiveLength the contrastive views are of each window's newest {@code contrastiveLength}
 *     inputs (CL4SRec's sequences are 50 long; the views cost a forward and backward pass each, so a
 *     200-item window's would cost more than its next-item pass); 0 = the whole window
 * @param progressive staged deepening (train with fewer blocks, add near-identity blocks at the
 *     given epochs), or {@code null} to train {@code blocks} from the start
 * @param onlineNegatives sampled-softmax negatives of an online step ({@code learnOnline}); 0 = as
 *     many as {@code negatives}. An online step has a handful of target rows, so the negatives'
 *     table rows, not the network, dominate its cost
 * @param onlineLearningRate Adam's rate in online steps; 0 = a hundredth of {@code learningRate}.
 *     Adam moves every touched parameter by about the rate whatever the gradient's size, so
 *     per-event steps at the training rate overwrite what the batch training learnt (measured in
 *     docs/BENCHMARKS.md: online below static at the training rate, above it at a hundredth)
 * @param curriculum which training windows each epoch trains on, easiest first (see {@code
 *     SasrecTrainer}: a window's popularity is its targets' mean log-popularity, its activity the
 *     user's sequence length, self-paced the current model's loss on it, teacher a plain SASRec's
 *     margin on it), or {@code null} to train on every window each epoch
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
    io.perennial.privacy.DpConfig dp,
    List<String> augment,
    float cropRatio,
    float maskRatio,
    float reorderRatio,
    float contrastiveWeight,
    float contrastiveTemperature,
    boolean augmentExtra,
    SasrecDeepening progressive,
    int contrastiveLength,
    int onlineNegatives,
    io.perennial.model.curriculum.CurriculumConfig curriculum,
    float onlineLearningRate) {

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
    // 0 is the default for the two fields that cannot be 0 (and what a checkpoint from before them reads)
    if (cropRatio == 0) {
      cropRatio = SequenceAugmentation.DEFAULT_CROP_RATIO;
    }
    if (contrastiveTemperature == 0) {
      contrastiveTemperature = DEFAULT_CONTRASTIVE_TEMPERATURE;
    }
    augment = augment == null ? List.of() : SequenceAugmentation.Operator.parseList(String.join(",", augment))
        .stream().map(o -> o.name().toLowerCase(Locale.ROOT)).toList();
    if (!(cropRatio > 0 && cropRatio <= 1) || !(maskRatio >= 0 && maskRatio < 1)
        || !(reorderRatio >= 0 && reorderRatio <= 1)) {
      throw new IllegalArgumentException("cropRatio must be in (0, 1], maskRatio in [0, 1) and reorderRatio in [0, 1], got "
          + cropRatio + ", " + maskRatio + ", " + reorderRatio);
    }
    if (!(contrastiveWeight >= 0) || !Float.isFinite(contrastiveWeight) || !(contrastiveTemperature > 0)
        || !Float.isFinite(contrastiveTemperature)) {
      throw new IllegalArgumentException("contrastiveWeight must be >= 0 and contrastiveTemperature > 0, got "
          + contrastiveWeight + ", " + contrastiveTemperature);
    }
    if (contrastiveLength < 0) {
      throw new IllegalArgumentException("contrastiveLength must be >= 0, got " + contrastiveLength);
    }
    if (!(onlineLearningRate >= 0) || !Float.isFinite(onlineLearningRate)) {
      throw new IllegalArgumentException("onlineLearningRate must be >= 0 (0 = learningRate / 100), got "
          + onlineLearningRate);
    }
    if (onlineNegatives < 0) {
      throw new IllegalArgumentException("onlineNegatives must be >= 0 (0 = as many as negatives), got "
          + onlineNegatives);
    }
    if (dp != null && (!augment.isEmpty() || progressive != null)) {
      throw new IllegalArgumentException("augment and progressive do not combine with dp (DP-SGD clips each user's "
          + "gradient alone, and the contrastive loss ties a batch's users together)");
    }
    if (progressive != null) {
      progressive.check(blocks, epochs);
    }
    if (curriculum != null && dp != null) {
      throw new IllegalArgumentException("curriculum does not combine with dp (DP-SGD samples its own users)");
    }
  }

  /** The settings without a curriculum or online negatives of their own (the constructor before those fields). */
  public SasrecConfig(int factors, int blocks, int heads, int maxLength, int epochs, int batchSize,
      float learningRate, int warmupSteps, float dropout, Loss loss, int negatives, Activation activation,
      float weightDecay, float maxGradNorm, int threads, long seed, int partialFitEpochs, int onlineSteps,
      int onlineReplay, io.perennial.privacy.DpConfig dp, List<String> augment, float cropRatio, float maskRatio,
      float reorderRatio, float contrastiveWeight, float contrastiveTemperature, boolean augmentExtra,
      SasrecDeepening progressive, int contrastiveLength) {
    this(factors, blocks, heads, maxLength, epochs, batchSize, learningRate, warmupSteps, dropout, loss, negatives,
        activation, weightDecay, maxGradNorm, threads, seed, partialFitEpochs, onlineSteps, onlineReplay, dp,
        augment, cropRatio, maskRatio, reorderRatio, contrastiveWeight, contrastiveTemperature, augmentExtra,
        progressive, contrastiveLength, 0, null, 0f);
  }

  /** The settings without augmentation or deepening (the constructor before issue 16's fields). */
  public SasrecConfig(int factors, int blocks, int heads, int maxLength, int epochs, int batchSize,
      float learningRate, int warmupSteps, float dropout, Loss loss, int negatives, Activation activation,
      float weightDecay, float maxGradNorm, int threads, long seed, int partialFitEpochs, int onlineSteps,
      int onlineReplay, io.perennial.privacy.DpConfig dp) {
    this(factors, blocks, heads, maxLength, epochs, batchSize, learningRate, warmupSteps, dropout, loss, negatives,
        activation, weightDecay, maxGradNorm, threads, seed, partialFitEpochs, onlineSteps, onlineReplay, dp,
        List.of(), SequenceAugmentation.DEFAULT_CROP_RATIO, SequenceAugmentation.DEFAULT_MASK_RATIO,
        SequenceAugmentation.DEFAULT_REORDER_RATIO, DEFAULT_CONTRASTIVE_WEIGHT, DEFAULT_CONTRASTIVE_TEMPERATURE, false,
        null, DEFAULT_CONTRASTIVE_LENGTH, 0, null, 0f);
  }

  /** The online steps' rate as a share of the training's when {@code onlineLearningRate} is 0. */
  public static final float DEFAULT_ONLINE_RATE_RATIO = 0.01f;
  /** Negatives of an online step in {@link #defaults()}. */
  public static final int DEFAULT_ONLINE_NEGATIVES = 256;

  /** CL4SRec's default weight of the contrastive loss (λ = 0.1). */
  public static final float DEFAULT_CONTRASTIVE_WEIGHT = 0.1f;
  /** The newest inputs of a window the contrastive views are made of (CL4SRec's sequence length). */
  public static final int DEFAULT_CONTRASTIVE_LENGTH = 50;
  /** CL4SRec's reference temperature. */
  public static final float DEFAULT_CONTRASTIVE_TEMPERATURE = 1f;

  /** The augmentation operators of {@link #augment()}. */
  List<SequenceAugmentation.Operator> augmentOperators() {
    return SequenceAugmentation.Operator.parseList(String.join(",", augment));
  }

  /** Whether training adds the contrastive loss (operators and a weight above 0). */
  boolean contrastive() {
    return !augment.isEmpty() && contrastiveWeight > 0;
  }

  /** Whether training adds augmented copies of the windows. */
  boolean extraSequences() {
    return !augment.isEmpty() && augmentExtra;
  }

  /**
   * Measured on ml-latest-small, leave-one-out against 100 sampled items (docs/BENCHMARKS.md):
   * sampled softmax over 2048 items beat 1024 and 256 and the paper's BCE; batches of 16 (more
   * steps per epoch on few users) beat 32 and 128; dropout 0.5 beat 0.2 on that small set. Online:
   * one step on the event's window and one replayed window over 256 negatives at a hundredth of the
   * training rate was as good in {@code simulate} as more steps, windows or negatives, at a fraction
   * of their cost.
   */
  public static SasrecConfig defaults() {
    return new SasrecConfig(64, 2, 1, 0, 0, 16, 2e-3f, 100, 0.5f, Loss.SOFTMAX, 2048, Activation.RELU,
        0f, 5f, 2, 42L, 2, 1, 1, null, List.of(), SequenceAugmentation.DEFAULT_CROP_RATIO,
        SequenceAugmentation.DEFAULT_MASK_RATIO, SequenceAugmentation.DEFAULT_REORDER_RATIO,
        DEFAULT_CONTRASTIVE_WEIGHT, DEFAULT_CONTRASTIVE_TEMPERATURE, false, null, DEFAULT_CONTRASTIVE_LENGTH,
        DEFAULT_ONLINE_NEGATIVES, null, 0f);
  }

  /**
   * The same settings with {@code n} blocks and no deepening stages: the network a deepened
   * training ends with, or one of its stages.
   */
  public SasrecConfig withBlocks(int n) {
    return new SasrecConfig(factors, n, heads, maxLength, epochs, batchSize, learningRate, warmupSteps,
        dropout, loss, negatives, activation, weightDecay, maxGradNorm, threads, seed, partialFitEpochs, onlineSteps,
        onlineReplay, dp, augment, cropRatio, maskRatio, reorderRatio, contrastiveWeight, contrastiveTemperature,
        augmentExtra, null, contrastiveLength, onlineNegatives, curriculum, onlineLearningRate);
  }

  public SasrecConfig withThreads(int n) {
    return new SasrecConfig(factors, blocks, heads, maxLength, epochs, batchSize, learningRate, warmupSteps,
        dropout, loss, negatives, activation, weightDecay, maxGradNorm, n, seed, partialFitEpochs, onlineSteps,
        onlineReplay, dp, augment, cropRatio, maskRatio, reorderRatio, contrastiveWeight, contrastiveTemperature,
        augmentExtra, progressive, contrastiveLength, onlineNegatives, curriculum, onlineLearningRate);
  }

  /**
   * The settings an online step runs with: one thread (an event is too small to split), {@link
   * #onlineNegatives()} sampled negatives and the {@link #onlineLearningRate()}.
   */
  public SasrecConfig forOnlineSteps() {
    int n = onlineNegatives == 0 ? negatives : onlineNegatives;
    float rate = onlineLearningRate == 0 ? learningRate * DEFAULT_ONLINE_RATE_RATIO : onlineLearningRate;
    return new SasrecConfig(factors, blocks, heads, maxLength, epochs, batchSize, rate, warmupSteps,
        dropout, loss, n, activation, weightDecay, maxGradNorm, 1, seed, partialFitEpochs, onlineSteps,
        onlineReplay, dp, augment, cropRatio, maskRatio, reorderRatio, contrastiveWeight, contrastiveTemperature,
        augmentExtra, progressive, contrastiveLength, onlineNegatives, curriculum, onlineLearningRate);
  }

  /** The same settings reading at most {@code length} items (resolving the adaptive 0). */
  public SasrecConfig withMaxLength(int length) {
    return new SasrecConfig(factors, blocks, heads, length, epochs, batchSize, learningRate, warmupSteps,
        dropout, loss, negatives, activation, weightDecay, maxGradNorm, threads, seed, partialFitEpochs,
        onlineSteps, onlineReplay, dp, augment, cropRatio, maskRatio, reorderRatio, contrastiveWeight,
        contrastiveTemperature, augmentExtra, progressive, contrastiveLength, onlineNegatives, curriculum,
        onlineLearningRate);
  }

  /** The same settings with {@code n} epochs (resolving the adaptive 0). */
  public SasrecConfig withEpochs(int n) {
    return new SasrecConfig(factors, blocks, heads, maxLength, n, batchSize, learningRate, warmupSteps,
        dropout, loss, negatives, activation, weightDecay, maxGradNorm, threads, seed, partialFitEpochs,
        onlineSteps, onlineReplay, dp, augment, cropRatio, maskRatio, reorderRatio, contrastiveWeight,
        contrastiveTemperature, augmentExtra, progressive, contrastiveLength, onlineNegatives, curriculum,
        onlineLearningRate);
  }

  /** The same settings without a curriculum: the teacher of a teacher curriculum, and its ablation. */
  public SasrecConfig withoutCurriculum() {
    return new SasrecConfig(factors, blocks, heads, maxLength, epochs, batchSize, learningRate, warmupSteps,
        dropout, loss, negatives, activation, weightDecay, maxGradNorm, threads, seed, partialFitEpochs,
        onlineSteps, onlineReplay, dp, augment, cropRatio, maskRatio, reorderRatio, contrastiveWeight,
        contrastiveTemperature, augmentExtra, progressive, contrastiveLength, onlineNegatives, null,
        onlineLearningRate);
  }
}
