package io.perennial.nn;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's activation buffers, sized once for the largest batch: one contiguous {@code float[]}
 * of named views and a twin array for their gradients (as in llm.c). A step over a smaller batch
 * uses the first {@code BT} rows of each view. One instance per training thread.
 */
public final class Activations {
  private final Map<String, Tensor> byName;
  private final float[] values;
  private final float[] grads;

  private Activations(Map<String, Tensor> byName, int size) {
    this.byName = Map.copyOf(byName);
    this.values = new float[size];
    this.grads = new float[size];
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Registers buffers in order; offsets are assigned at registration. */
  public static final class Builder {
    private final Map<String, Tensor> byName = new LinkedHashMap<>();
    private int size;

    private Builder() {}

    /** A buffer of the given (maximum) shape, e.g. {@code (B·T, C)}. */
    public Tensor add(String name, int... shape) {
      if (byName.containsKey(name)) {
        throw new IllegalArgumentException("duplicate activation name " + name);
      }
      Tensor t = new Tensor(name, size, shape, false, false);
      byName.put(name, t);
      size = Math.addExact(size, t.size());
      return t;
    }

    public Activations build() {
      return new Activations(byName, size);
    }
  }

  public float[] values() {
    return values;
  }

  public float[] grads() {
    return grads;
  }

  public int size() {
    return values.length;
  }

  public Tensor tensor(String name) {
    Tensor t = byName.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no activation named " + name);
    }
    return t;
  }

  /** One fill: backward accumulates into activation gradients, so each step starts from zero. */
  public void zeroGrad() {
    Arrays.fill(grads, 0f);
  }
}
