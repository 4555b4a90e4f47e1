package io.perennial.model.sasrec;

import io.perennial.nn.Activation;
import io.perennial.nn.Tensor;
import java.util.List;

/**
 * SASRec's {@code "progressive"} config member: train with fewer self-attention blocks first, then
 * deepen. {@code {"blocks": [1], "deepenAt": [10]}} on a 2-block model trains epochs 0–9 with one
 * block and the rest with two. Each added block goes on top of the others (before the final
 * LayerNorm) as a near-identity: its attention output projection and its feed-forward output layer
 * are its fresh initialisation scaled by {@code newScale}, their biases zero, so both residual
 * branches add almost nothing and the stream, hence every score, barely moves at the moment of
 * deepening; the query/key/value and first feed-forward layers keep their ordinary initialisation
 * so gradients reach them as soon as the output layers grow. Every learned parameter is carried
 * over. The total number of epochs is the model's {@code epochs}.
 *
 * @param blocks the block counts of the stages before the model's own {@code blocks}, increasing
 * @param deepenAt the epoch (0-based) at which each following stage starts, increasing, one per stage
 * @param newScale factor on the new blocks' output layers' initial weights; 0 means the default
 *     0.01 (exactly 0 would keep the scores identical but start the block with no gradient on its
 *     attention)
 */
public record SasrecDeepening(List<Integer> blocks, List<Integer> deepenAt, float newScale) {

  /** The default {@link #newScale()}. */
  public static final float DEFAULT_NEW_SCALE = 0.01f;

  public SasrecDeepening {
    if (blocks == null || blocks.isEmpty()) {
      throw new IllegalArgumentException("progressive.blocks must list at least one stage's block count");
    }
    if (deepenAt == null || deepenAt.size() != blocks.size()) {
      throw new IllegalArgumentException("progressive.deepenAt must give one epoch per stage (" + blocks.size()
          + "), got " + (deepenAt == null ? "none" : deepenAt.size()));
    }
    blocks = List.copyOf(blocks);
    deepenAt = List.copyOf(deepenAt);
    for (int s = 0; s < blocks.size(); s++) {
      if (blocks.get(s) < 1 || (s > 0 && blocks.get(s) <= blocks.get(s - 1))) {
        throw new IllegalArgumentException("progressive.blocks must be increasing and >= 1, got " + blocks);
      }
      if (deepenAt.get(s) < 1 || (s > 0 && deepenAt.get(s) <= deepenAt.get(s - 1))) {
        throw new IllegalArgumentException("progressive.deepenAt must be increasing and >= 1, got " + deepenAt);
      }
    }
    if (newScale == 0) {
      newScale = DEFAULT_NEW_SCALE;
    }
    if (!(newScale > 0) || !Float.isFinite(newScale)) {
      throw new IllegalArgumentException("progressive.newScale must be > 0, got " + newScale);
    }
  }

  /**
   * Checks the stages against the model's final block count and epochs ({@code epochs} 0, the
   * adaptive count, is checked once training has resolved it).
   */
  public void check(int finalBlocks, int epochs) {
    if (blocks.get(blocks.size() - 1) >= finalBlocks) {
      throw new IllegalArgumentException("progressive.blocks " + blocks + " must stay below the model's blocks ("
          + finalBlocks + ")");
    }
    if (epochs > 0 && deepenAt.get(deepenAt.size() - 1) >= epochs) {
      throw new IllegalArgumentException("progressive.deepenAt " + deepenAt + " must stay below the model's epochs ("
          + epochs + ")");
    }
  }

  /** The block count epoch 0 trains with. */
  public int initialBlocks() {
    return blocks.get(0);
  }

  /** The block count epoch {@code epoch} trains with, given the model's final count. */
  public int blocksAt(int epoch, int finalBlocks) {
    int count = blocks.get(0);
    for (int s = 0; s < deepenAt.size(); s++) {
      if (epoch >= deepenAt.get(s)) {
        count = s + 1 < blocks.size() ? blocks.get(s + 1) : finalBlocks;
      }
    }
    return count;
  }

  /**
   * A copy of {@code network} with {@code blocks} blocks: every parameter of {@code network}
   * carried over by name, each new block initialised from {@code seed} as a near-identity (see the
   * type's comment) with its output layers scaled by {@code newScale}.
   */
  static SasrecNetwork deepen(SasrecNetwork network, int blocks, float newScale, Activation activation,
      float dropout, long seed) {
    if (blocks < network.blocks()) {
      throw new IllegalArgumentException("cannot deepen " + network.blocks() + " blocks to " + blocks);
    }
    SasrecNetwork deeper = new SasrecNetwork(network.items(), network.channels(), blocks, network.heads(),
        network.maxLength(), dropout, activation, seed);
    float[] from = network.params().values();
    float[] to = deeper.params().values();
    for (Tensor t : network.params().tensors()) {
      Tensor target = deeper.params().tensor(t.name());
      System.arraycopy(from, t.offset(), to, target.offset(), t.size());
    }
    for (int l = network.blocks(); l < blocks; l++) {
      for (String layer : List.of(".projection", ".ffn.out")) {
        Tensor weight = deeper.params().tensor("block" + l + layer + ".weight");
        for (int i = weight.offset(); i < weight.offset() + weight.size(); i++) {
          to[i] *= newScale;
        }
        deeper.params().fill(deeper.params().tensor("block" + l + layer + ".bias"), 0f);
      }
    }
    return deeper;
  }
}
