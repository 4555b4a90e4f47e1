package io.perennial.model.neumf;

import io.perennial.nn.Activation;

/**
 * Settings of NeuMF (He et al., "Neural Collaborative Filtering", WWW 2017).
 *
 * @param gmfFactors width of the GMF tower: its user and item embeddings and their product
 * @param mlpFactors width of the MLP tower's last layer (its predictive factors)
 * @param mlpLayers hidden layers of the MLP tower, each half as wide as the one before; the first is
 *     {@code mlpFactors · 2^(mlpLayers-1)} wide, as are the MLP user and item embeddings, whose
 *     concatenation the first layer halves (the paper's tower, e.g. 64 → 32 → 16 → 8)
 * @param activation non-linearity of the MLP tower (ReLU as in the paper; GELU is smooth)
 * @param epochs passes over the training interactions (of the fused model)
 * @param batchSize positives per mini-batch; each brings {@code negatives} sampled items, so a step
 *     runs the network over {@code batchSize · (1 + negatives)} rows
 * @param negatives sampled negatives per positive (items the user never interacted with)
 * @param learningRate Adam's rate
 * @param learningRateDecay multiplies the rate after every epoch (1: constant)
 * @param weightDecay decoupled weight decay (AdamW) on embeddings and weights, not biases
 * @param regularization L2 penalty {@code (λ/2)‖e‖²} on every embedding row a step touches, added
 *     to its gradient
 * @param initStd standard deviation of the initial embeddings
 * @param pretrain train the GMF and the MLP towers alone first, then fuse them (the paper's
 *     pre-training): the fused output layer is {@code [α·h_gmf, (1-α)·h_mlp]}
 * @param pretrainEpochs epochs of each tower's pre-training
 * @param alpha the trade-off of the pre-trained towers in the fused output layer
 * @param fusedLearningRate Adam's rate for the fused model after pre-training (the paper switches to
 *     plain SGD there, since Adam's moments are not carried over; a small rate serves the same end)
 * @param seed RNG seed: initialisation, shuffling, negatives
 * @param foldInSteps passes over a folded-in user's items, each with fresh negatives
 * @param foldInLearningRate Adam's rate on a folded-in user's rows
 * @param partialFitEpochs passes over the new and replayed events in {@code partialFit}
 * @param onlineSteps SGD steps per event learned online, each with fresh negatives
 * @param onlineLearningRate SGD rate of online and fold-in steps
 * @param retrievalCandidates candidates the GMF retrieval proposes for re-ranking by the full
 *     network; 0 means {@code max(100, 10·k)}
 * @param dp DP-SGD settings ({@link DpNeumfTraining}), or {@code null} to train without
 *     differential privacy; not with {@code pretrain}
 * @param curriculum which positives each epoch of the fused phase trains on, easiest first ({@code
 *     null} = all, the default); pre-training sees all of them
 */
public record NeumfConfig(
    int gmfFactors,
    int mlpFactors,
    int mlpLayers,
    Activation activation,
    int epochs,
    int batchSize,
    int negatives,
    float learningRate,
    float learningRateDecay,
    float weightDecay,
    float regularization,
    float initStd,
    boolean pretrain,
    int pretrainEpochs,
    float alpha,
    float fusedLearningRate,
    long seed,
    int foldInSteps,
    float foldInLearningRate,
    int partialFitEpochs,
    int onlineSteps,
    float onlineLearningRate,
    int retrievalCandidates,
    io.perennial.privacy.DpConfig dp,
    io.perennial.model.curriculum.CurriculumConfig curriculum) {

  public NeumfConfig {
    if (activation == null) {
      activation = Activation.RELU;
    }
    if (gmfFactors < 1 || mlpFactors < 1 || mlpLayers < 1 || mlpLayers > 8) {
      throw new IllegalArgumentException("gmfFactors and mlpFactors must be >= 1, mlpLayers in 1..8");
    }
    if ((long) mlpFactors << (mlpLayers - 1) > 4096) {
      throw new IllegalArgumentException("the MLP tower's first layer (mlpFactors · 2^(mlpLayers-1) = "
          + ((long) mlpFactors << (mlpLayers - 1)) + ") must be at most 4096 wide");
    }
    if (epochs < 0 || pretrainEpochs < 0 || partialFitEpochs < 0) {
      throw new IllegalArgumentException("epochs, pretrainEpochs and partialFitEpochs must be >= 0");
    }
    if (batchSize < 1 || negatives < 1 || foldInSteps < 1 || onlineSteps < 1) {
      throw new IllegalArgumentException("batchSize, negatives, foldInSteps and onlineSteps must be >= 1");
    }
    if (!(learningRate > 0) || !(fusedLearningRate > 0) || !(onlineLearningRate > 0)
        || !(foldInLearningRate > 0)) {
      throw new IllegalArgumentException("the learning rates must be > 0");
    }
    if (!(learningRateDecay > 0) || learningRateDecay > 1) {
      throw new IllegalArgumentException("learningRateDecay must be in (0, 1], got " + learningRateDecay);
    }
    if (weightDecay < 0 || regularization < 0 || !(initStd > 0)) {
      throw new IllegalArgumentException("weightDecay and regularization must be >= 0, initStd > 0");
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
    if (dp != null && pretrain) {
      throw new IllegalArgumentException("dp and pretrain do not go together: DP-SGD trains the fused network "
          + "from its initialisation (set pretrain to false)");
    }
    if (curriculum != null && dp != null) {
      throw new IllegalArgumentException("curriculum does not combine with dp (DP-SGD samples its own batches)");
    }
    if (retrievalCandidates < 0) {
      throw new IllegalArgumentException("retrievalCandidates must be >= 0 (0: max(100, 10·k))");
    }
  }

  /** Tuned on ml-latest-small, implicit, leave-one-out (see docs/BENCHMARKS.md). */
  public static NeumfConfig defaults() {
    return new NeumfConfig(256, 16, 3, Activation.RELU, 20, 1024, 4, 0.004f, 0.9f, 0f, 0f, 0.01f, false, 10, 0.5f,
        0.0005f, 42L, 50, 0.01f, 3, 3, 0.05f, 0, null, null);
  }

  /** This config without a curriculum: the teacher of a teacher curriculum. */
  public NeumfConfig plain() {
    return new NeumfConfig(gmfFactors, mlpFactors, mlpLayers, activation, epochs, batchSize, negatives, learningRate,
        learningRateDecay, weightDecay, regularization, initStd, pretrain, pretrainEpochs, alpha, fusedLearningRate,
        seed, foldInSteps, foldInLearningRate, partialFitEpochs, onlineSteps, onlineLearningRate, retrievalCandidates,
        dp, null);
  }

  /** Width of the MLP embeddings and of the tower's first layer. */
  public int mlpEmbedding() {
    return mlpFactors << (mlpLayers - 1);
  }

  /** Candidates retrieval proposes for a top-{@code k}. */
  public int candidatesFor(int k) {
    return retrievalCandidates > 0 ? Math.max(k, retrievalCandidates) : Math.max(100, 10 * k);
  }
}
