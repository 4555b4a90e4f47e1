package io.perennial.nn;

import java.util.Arrays;

/**
 * A named view into a flat {@code float[]}: {@code size} floats from {@code offset}, row-major with
 * {@code shape}. {@link #rows()} is the product of all dimensions but the last, {@link #cols()} the
 * last one. Views are made once (at model build time); nothing is allocated per step.
 */
public final class Tensor {
  private final String name;
  private final int offset;
  private final int[] shape;
  private final int size;
  private final boolean table;
  private final boolean decay;

  Tensor(String name, int offset, int[] shape, boolean table, boolean decay) {
    if (shape.length == 0) {
      throw new IllegalArgumentException(name + ": a tensor needs at least one dimension");
    }
    int s = 1;
    for (int d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException(name + ": dimensions must be > 0, got " + Arrays.toString(shape));
      }
      s = Math.multiplyExact(s, d);
    }
    this.name = name;
    this.offset = offset;
    this.shape = shape.clone();
    this.size = s;
    this.table = table;
    this.decay = decay;
  }

  public String name() {
    return name;
  }

  public int offset() {
    return offset;
  }

  public int size() {
    return size;
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  /** Product of all dimensions but the last (1 for a vector). */
  public int rows() {
    return size / shape[shape.length - 1];
  }

  /** The last dimension. */
  public int cols() {
    return shape[shape.length - 1];
  }

  /** An embedding table: its gradient is sparse by rows and only touched rows are updated. */
  public boolean isTable() {
    return table;
  }

  /** Whether decoupled weight decay applies (not to biases and LayerNorm parameters). */
  public boolean decays() {
    return decay;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + "@" + offset;
  }
}
