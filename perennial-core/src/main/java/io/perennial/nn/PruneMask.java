package io.perennial.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Magnitude pruning of a network's dense layers: in every linear layer's weight matrix, the
 * fraction {@code sparsity} of weights with the smallest |w| is set to zero, layer by layer (each
 * layer loses the same share, so a small layer is not emptied to spare a large one), and kept at
 * zero from then on — {@link ParameterOptimizer#step()} re-applies the mask after each update,
 * so a fine-tune after pruning (or any later learning) only moves the weights that survived.
 *
 * <p>Prunable are the 2-D, weight-decayed, non-table tensors named {@code *.weight}: linear layers.
 * Embedding tables, position embeddings, biases and LayerNorm parameters are left whole (they are
 * per-id or per-channel, not a layer's connections).
 */
public final class PruneMask {

  private final List<Tensor> layers;
  /** Per layer, the pruned elements (indices within the tensor). */
  private final List<BitSet> pruned;

  private PruneMask(List<Tensor> layers, List<BitSet> pruned) {
    this.layers = List.copyOf(layers);
    this.pruned = List.copyOf(pruned);
  }

  /** The linear layers' weight matrices of {@code params}, in their order in the set. */
  public static List<Tensor> prunableLayers(ParameterSet params) {
    List<Tensor> out = new ArrayList<>();
    for (Tensor t : params.tensors()) {
      if (!t.isTable() && t.decays() && t.shape().length == 2 && t.name().endsWith(".weight")) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * Zeroes the {@code round(sparsity × size)} smallest-magnitude weights of every prunable layer
   * (ties by position), attaches the mask to {@code params} and returns it. Weights already pruned
   * stay pruned, so pruning again to a higher target is gradual pruning.
   *
   * @throws IllegalArgumentException when {@code sparsity} is outside [0, 1) or there is no
   *     prunable layer
   */
  public static PruneMask prune(ParameterSet params, double sparsity) {
    if (!(sparsity >= 0 && sparsity < 1)) {
      throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
    }
    List<Tensor> layers = prunableLayers(params);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("the network has no dense layer to prune");
    }
    float[] values = params.values();
    PruneMask previous = params.mask();
    List<BitSet> pruned = new ArrayList<>();
    for (int l = 0; l < layers.size(); l++) {
      Tensor t = layers.get(l);
      BitSet bits = previous != null && previous.layers.equals(layers) ? (BitSet) previous.pruned.get(l).clone()
          : new BitSet(t.size());
      int target = (int) Math.round(sparsity * t.size());
      Integer[] order = new Integer[t.size()];
      for (int j = 0; j < order.length; j++) {
        order[j] = j;
      }
      int base = t.offset();
      // already-pruned weights sort first (they are zero), so they count toward the target
      Arrays.sort(order, (a, b) -> Float.compare(Math.abs(values[base + a]), Math.abs(values[base + b])));
      for (int r = 0; r < target; r++) {
        bits.set(order[r]);
      }
      pruned.add(bits);
    }
    PruneMask mask = new PruneMask(layers, pruned);
    params.setMask(mask);
    mask.apply(values);
    return mask;
  }

  /**
   * Carries the mask over to {@code other}, a set with the same dense layers (a network rebuilt
   * larger for new ids), and attaches it there; does nothing for a set without a mask.
   */
  public static void carryOver(ParameterSet from, ParameterSet other) {
    PruneMask m = from.mask();
    if (m == null) {
      return;
    }
    List<Tensor> layers = new ArrayList<>();
    for (Tensor t : m.layers) {
      Tensor same = other.tensor(t.name());
      if (same.size() != t.size()) {
        throw new IllegalArgumentException("layer " + t.name() + " changed size: " + t.size() + " → " + same.size());
      }
      layers.add(same);
    }
    PruneMask carried = new PruneMask(layers, m.pruned);
    other.setMask(carried);
    carried.apply(other.values());
  }

  /** Sets every pruned weight in {@code values} (the set's value array) to zero. */
  public void apply(float[] values) {
    for (int l = 0; l < layers.size(); l++) {
      int base = layers.get(l).offset();
      BitSet bits = pruned.get(l);
      for (int j = bits.nextSetBit(0); j >= 0; j = bits.nextSetBit(j + 1)) {
        values[base + j] = 0f;
      }
    }
  }

  /** Pruned weights over all prunable weights. */
  public double sparsity() {
    long total = 0;
    long zero = 0;
    for (int l = 0; l < layers.size(); l++) {
      total += layers.get(l).size();
      zero += pruned.get(l).cardinality();
    }
    return total == 0 ? 0 : (double) zero / total;
  }

  /** Weights the mask covers (all prunable weights) and how many of them it prunes. */
  public long prunableWeights() {
    return layers.stream().mapToLong(Tensor::size).sum();
  }

  public long prunedWeights() {
    return pruned.stream().mapToLong(BitSet::cardinality).sum();
  }

  /** The layers the mask covers. */
  public List<Tensor> layers() {
    return layers;
  }

  /** Whether element {@code index} of layer {@code layer} is pruned. */
  public boolean isPruned(int layer, int index) {
    return pruned.get(layer).get(index);
  }

  /** The mask as 32-bit words over the prunable layers' elements, concatenated (a checkpoint section). */
  public int[] toWords() {
    long total = prunableWeights();
    int[] words = new int[(int) ((total + 31) / 32)];
    long at = 0;
    for (int l = 0; l < layers.size(); l++) {
      BitSet bits = pruned.get(l);
      for (int j = bits.nextSetBit(0); j >= 0; j = bits.nextSetBit(j + 1)) {
        long p = at + j;
        words[(int) (p >>> 5)] |= 1 << (p & 31);
      }
      at += layers.get(l).size();
    }
    return words;
  }

  /**
   * Re-attaches a mask read from {@link #toWords()} to {@code params} and applies it.
   *
   * @throws IllegalArgumentException when the words do not fit the set's prunable layers
   */
  public static PruneMask fromWords(ParameterSet params, int[] words) {
    List<Tensor> layers = prunableLayers(params);
    long total = layers.stream().mapToLong(Tensor::size).sum();
    if (words.length != (total + 31) / 32) {
      throw new IllegalArgumentException("prune mask holds " + words.length + " words; the network's "
          + total + " prunable weights need " + (total + 31) / 32);
    }
    List<BitSet> pruned = new ArrayList<>();
    long at = 0;
    for (Tensor t : layers) {
      BitSet bits = new BitSet(t.size());
      for (int j = 0; j < t.size(); j++) {
        long p = at + j;
        if ((words[(int) (p >>> 5)] & (1 << (p & 31))) != 0) {
          bits.set(j);
        }
      }
      pruned.add(bits);
      at += t.size();
    }
    PruneMask mask = new PruneMask(layers, pruned);
    params.setMask(mask);
    mask.apply(params.values());
    return mask;
  }
}
