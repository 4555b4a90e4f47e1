package io.perennial.model.transfer;

import io.perennial.data.IdIndex;
import io.perennial.model.DenseNetwork;
import io.perennial.model.FactorModel;
import io.perennial.model.Recommender;
import io.perennial.nn.ParameterSet;
import io.perennial.nn.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pretrained side of a transfer: a factor model's tables with the ids of their rows, and for a
 * deep model (SASRec, NeuMF) every named parameter of its network as well.
 *
 * @param type the source algorithm ({@code ials}, {@code bpr}, {@code mf}, {@code sasrec}, {@code neumf})
 * @param factors columns of both tables
 * @param users the source's user ids, row order of {@code userFactors}
 * @param items the source's item ids, row order of {@code itemFactors}
 * @param userFactors {@code users × factors}, row-major (zero for a deep model without a user table)
 * @param itemFactors {@code items × factors}, row-major (a deep model's first item table)
 * @param parameters a deep model's network, every parameter by its name (empty for a factor model)
 * @param itemTables the names among {@code parameters} of the tables whose row {@code i} is item
 *     {@code i} (the first is {@code itemFactors}); empty for a factor model
 * @param layout a deep model's settings that shape no parameter but must match (SASRec's heads)
 */
public record SourceModel(String type, int factors, IdIndex users, IdIndex items, float[] userFactors,
    float[] itemFactors, Map<String, Parameter> parameters, List<String> itemTables, Map<String, Integer> layout) {

  /**
   * One named parameter of a source network.
   *
   * @param shape its dimensions (a table: rows × columns)
   * @param table whether it is an embedding table (rows by id) rather than a dense layer
   * @param values a copy of its values, row-major
   */
  public record Parameter(int[] shape, boolean table, float[] values) {

    /** Rows (all dimensions but the last). */
    public int rows() {
      return values.length / cols();
    }

    /** The last dimension. */
    public int cols() {
      return shape[shape.length - 1];
    }
  }

  public SourceModel {
    if (itemFactors.length != (long) items.size() * factors || userFactors.length != (long) users.size() * factors) {
      throw new IllegalArgumentException("the source tables do not match its " + users.size() + " users and "
          + items.size() + " items × " + factors + " factors");
    }
    parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    itemTables = List.copyOf(itemTables);
    layout = Map.copyOf(layout);
    for (String t : itemTables) {
      Parameter p = parameters.get(t);
      if (p == null || !p.table() || p.rows() < items.size()) {
        throw new IllegalArgumentException("the source's item table " + t + " is missing or has fewer than "
            + items.size() + " rows");
      }
    }
  }

  /** A factor model's tables. */
  public SourceModel(String type, int factors, IdIndex users, IdIndex items, float[] userFactors, float[] itemFactors) {
    this(type, factors, users, items, userFactors, itemFactors, Map.of(), List.of(), Map.of());
  }

  /** Whether this is a deep model's network (its dense layers can be copied into one of its type). */
  public boolean deep() {
    return !parameters.isEmpty();
  }

  /**
   * The tables of {@code model}, whose rows are {@code users} and {@code items}; for a deep model
   * its whole network.
   *
   * @throws IllegalArgumentException when the model has no tables to start from
   */
  public static SourceModel of(Recommender model, IdIndex users, IdIndex items) {
    if (model instanceof FactorModel f) {
      int k = f.factors();
      return new SourceModel(model.type(), k, users, items,
          Arrays.copyOf(f.userFactors(), users.size() * k),
          Arrays.copyOf(f.itemFactors(), items.size() * k));
    }
    if (model instanceof DenseNetwork d && !d.itemTableNames().isEmpty()) {
      ParameterSet params = d.parameters();
      Map<String, Parameter> copied = new LinkedHashMap<>();
      for (Tensor t : params.tensors()) {
        copied.put(t.name(), new Parameter(t.shape(), t.isTable(),
            Arrays.copyOfRange(params.values(), t.offset(), t.offset() + t.size())));
      }
      Parameter first = copied.get(d.itemTableNames().get(0));
      int k = first.cols();
      return new SourceModel(model.type(), k, users, items, new float[users.size() * k],
          Arrays.copyOf(first.values(), items.size() * k), copied, d.itemTableNames(), d.layoutSettings());
    }
    throw new IllegalArgumentException("a " + model.type() + " model has no item tables to start from "
        + "(pretrain ials, bpr, mf, sasrec or neumf)");
  }
}
