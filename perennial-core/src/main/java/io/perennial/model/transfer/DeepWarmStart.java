package io.perennial.model.transfer;

import io.perennial.nn.ParameterOptimizer;
import io.perennial.nn.ParameterSet;
import io.perennial.nn.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@link WarmStart} applied to a deep network's {@link ParameterSet} (SASRec, NeuMF), and its
 * fine-tune as per-parameter learning-rate scales of the {@link ParameterOptimizer} that trains it.
 *
 * <p>From a factor source, the matched (and content-mapped) items' rows seed every item table as
 * wide as the source's factors. From a network of the same type, every item table is seeded by the
 * match and every dense layer is copied whole; users start fresh. The fine-tune then scales the
 * learning rate: {@code freeze-items} 0 on the seeded item rows, {@code lr-ratio:R} R on the seeded
 * rows and the copied layers, {@code progressive:N} 0 on them for the first N epochs, {@code
 * freeze:NAME,…} 0 on the named layers throughout.
 */
public final class DeepWarmStart {

  private final WarmStart start;
  private final List<Tensor> seededTables = new ArrayList<>();
  private final List<Tensor> copiedDense = new ArrayList<>();
  private final Set<Tensor> frozenLayers;
  private final int itemCount;

  /**
   * Copies {@code start} into {@code params} (already initialised at random), for the first {@code
   * itemCount} items of the tables named {@code itemTables}.
   *
   * @param layerGroups the network's layer names for {@code freeze:} ({@link #layers})
   * @throws IllegalArgumentException on a shape mismatch or an unknown layer name
   */
  public DeepWarmStart(String type, WarmStart start, ParameterSet params, List<String> itemTables, int itemCount,
      Map<String, List<String>> layerGroups) {
    this.start = start;
    this.itemCount = itemCount;
    float[] values = params.values();
    if (start.deep()) {
      int n = start.itemVectors().length / start.factors();
      for (Map.Entry<String, float[]> e : start.itemTables().entrySet()) {
        Tensor t = find(params, e.getKey());
        if (t == null || !t.isTable() || e.getValue().length != n * t.cols()) {
          throw new IllegalArgumentException("layer " + e.getKey() + ": the pretrained " + start.sourceType()
              + " model's is " + (n == 0 ? "?" : e.getValue().length / n) + " wide, this " + type + " model's "
              + (t == null ? "does not exist" : t.cols() + " wide"));
        }
        seed(values, t, e.getValue(), t.cols());
        seededTables.add(t);
      }
      for (Map.Entry<String, SourceModel.Parameter> e : start.dense().entrySet()) {
        Tensor t = find(params, e.getKey());
        if (t == null || !Arrays.equals(t.shape(), e.getValue().shape())) {
          throw shapeError(type, start.sourceType(), e.getKey(), e.getValue().shape(), t);
        }
        System.arraycopy(e.getValue().values(), 0, values, t.offset(), t.size());
        copiedDense.add(t);
      }
    } else {
      for (String name : itemTables) {
        Tensor t = params.tensor(name);
        if (t.cols() == start.factors()) {
          seed(values, t, start.itemVectors(), t.cols());
          seededTables.add(t);
        }
      }
    }
    frozenLayers = start.fineTune().mode() == FineTune.Mode.FREEZE_LAYERS
        ? layers(type, params, layerGroups, start.fineTune().frozenLayers()) : Set.of();
  }

  private void seed(float[] values, Tensor table, float[] rows, int cols) {
    int n = Math.min(itemCount, table.rows());
    for (int i = start.items().nextSetBit(0); i >= 0 && i < n; i = start.items().nextSetBit(i + 1)) {
      System.arraycopy(rows, i * cols, values, table.offset() + i * cols, cols);
    }
  }

  /** The item tables the start seeded. */
  public List<Tensor> seededTables() {
    return List.copyOf(seededTables);
  }

  /** The dense layers copied from a deep source (empty from a factor source). */
  public List<Tensor> copiedDense() {
    return List.copyOf(copiedDense);
  }

  /** Sets {@code optimizer}'s learning-rate scales for epoch {@code epoch} (0-based) as the fine-tune says. */
  public void applyScales(ParameterOptimizer optimizer, int epoch) {
    optimizer.clearScales();
    FineTune f = start.fineTune();
    float transferred = switch (f.mode()) {
      case FREEZE_ITEMS -> 0f;
      case LR_RATIO -> f.ratio();
      case PROGRESSIVE -> epoch < f.frozenEpochs() ? 0f : 1f;
      default -> 1f;
    };
    for (Tensor t : frozenLayers) {
      optimizer.setScale(t, 0f);
    }
    if (transferred == 1f) {
      return;
    }
    for (Tensor t : seededTables) {
      int n = Math.min(itemCount, t.rows());
      for (int i = start.items().nextSetBit(0); i >= 0 && i < n; i = start.items().nextSetBit(i + 1)) {
        optimizer.setRowScale(t, i, transferred);
      }
    }
    if (f.mode() != FineTune.Mode.FREEZE_ITEMS) {
      for (Tensor t : copiedDense) {
        optimizer.setScale(t, transferred);
      }
    }
  }

  /**
   * Checks, before any training, that a network of {@code type} laid out as {@code target} can start
   * from {@code source}: a network of the same type with every dense layer and item table of the
   * same shape, or a factor model as wide as at least one of the item tables.
   *
   * @param widthHint how to change the target's widths, for the message (e.g. "set factors in --config")
   */
  public static void check(String type, SourceModel source, ParameterSet target, List<String> itemTables,
      String widthHint) {
    if (!source.deep()) {
      List<String> widths = new ArrayList<>();
      for (String name : itemTables) {
        Tensor t = target.tensor(name);
        if (t.cols() == source.factors()) {
          return;
        }
        widths.add(name + " " + t.cols());
      }
      throw new IllegalArgumentException("the pretrained " + source.type() + " model has " + source.factors()
          + " factors, the " + type + " item embedding" + (widths.size() > 1 ? "s are " : " is ")
          + String.join(", ", widths) + " wide (" + widthHint + " to " + source.factors() + ")");
    }
    if (!source.type().equals(type)) {
      throw new IllegalArgumentException("a " + type + " model starts from a " + type + " network or an ials, bpr "
          + "or mf model, not a " + source.type() + " one");
    }
    for (Map.Entry<String, SourceModel.Parameter> e : source.parameters().entrySet()) {
      SourceModel.Parameter p = e.getValue();
      Tensor t = find(target, e.getKey());
      if (source.itemTables().contains(e.getKey())) {
        if (t == null || t.cols() != p.cols()) {
          throw new IllegalArgumentException("layer " + e.getKey() + ": the pretrained " + type + " model's is "
              + p.cols() + " wide, this " + type + " model's " + (t == null ? "is missing" : t.cols() + " wide")
              + " (a warm start from a " + type + " network needs its shapes: " + widthHint + ")");
        }
      } else if (!p.table() && (t == null || !Arrays.equals(t.shape(), p.shape()))) {
        throw shapeError(type, source.type(), e.getKey(), p.shape(), t);
      }
    }
    for (Tensor t : target.tensors()) {
      if (!t.isTable() && !source.parameters().containsKey(t.name())) {
        throw new IllegalArgumentException("layer " + t.name() + " " + Arrays.toString(t.shape())
            + ": this " + type + " model has it, the pretrained one has no such layer (a warm start from a " + type
            + " network copies every layer, so the layer counts must be the source's)");
      }
    }
  }

  private static Tensor find(ParameterSet params, String name) {
    for (Tensor t : params.tensors()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  private static IllegalArgumentException shapeError(String type, String sourceType, String name, int[] sourceShape,
      Tensor target) {
    return new IllegalArgumentException("layer " + name + ": the pretrained " + sourceType + " model's is "
        + Arrays.toString(sourceShape) + ", this " + type + " model's "
        + (target == null ? "does not exist" : Arrays.toString(target.shape()))
        + " (a warm start from a " + sourceType + " network copies every layer, so its widths, layer counts, heads "
        + "and max length must be the source's)");
  }

  /**
   * The parameters that {@code names} stand for: a group of {@code groups} (e.g. {@code items},
   * {@code attention}), a parameter's name, or a prefix of names up to a dot (e.g. {@code block0}).
   *
   * @throws IllegalArgumentException for a name that stands for nothing, listing the valid ones
   */
  public static Set<Tensor> layers(String type, ParameterSet params, Map<String, List<String>> groups,
      List<String> names) {
    Set<Tensor> out = new LinkedHashSet<>();
    for (String name : names) {
      List<String> members = groups.get(name);
      int before = out.size();
      for (Tensor t : params.tensors()) {
        if ((members != null && members.contains(t.name())) || t.name().equals(name)
            || t.name().startsWith(name + ".")) {
          out.add(t);
        }
      }
      if (out.size() == before && members == null && params.tensors().stream()
          .noneMatch(t -> t.name().equals(name) || t.name().startsWith(name + "."))) {
        Set<String> prefixes = new TreeSet<>();
        for (Tensor t : params.tensors()) {
          int dot = t.name().indexOf('.');
          prefixes.add(dot < 0 ? t.name() : t.name().substring(0, dot));
        }
        prefixes.removeAll(groups.keySet());
        throw new IllegalArgumentException("unknown " + type + " layer '" + name + "' in freeze: (valid: "
            + String.join(", ", groups.keySet()) + (prefixes.isEmpty() ? "" : ", " + String.join(", ", prefixes))
            + ", or a parameter name such as " + params.tensors().get(params.tensors().size() - 1).name() + ")");
      }
    }
    return out;
  }
}
