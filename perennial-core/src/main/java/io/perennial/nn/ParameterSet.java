package io.perennial.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * All parameters of a model in one contiguous {@code float[]} with named {@link Tensor} views, and
 * their gradients in a twin array of the same layout (as in llm.c): an optimiser step is one pass
 * over the views, and zeroing the gradients is one fill of the dense part plus, for each embedding
 * table, a fill of only the rows its {@link RowSet} recorded (a 24k × 64 table is not cleared each
 * step to reset the 300 rows a batch touched).
 *
 * <p>Layers register their tensors on a {@link Builder} when they are constructed; {@link
 * Builder#build()} allocates both arrays once.
 */
public final class ParameterSet {

  private final List<Tensor> tensors;
  private final Map<String, Tensor> byName;
  private final Map<Tensor, RowSet> touched;
  private final float[] values;
  private final float[] grads;
  /** Weights held at zero by magnitude pruning, or {@code null}. */
  private PruneMask mask;

  private ParameterSet(List<Tensor> tensors, int size) {
    this.tensors = List.copyOf(tensors);
    this.byName = new LinkedHashMap<>();
    this.touched = new LinkedHashMap<>();
    for (Tensor t : tensors) {
      byName.put(t.name(), t);
      if (t.isTable()) {
        touched.put(t, new RowSet(t.rows()));
      }
    }
    values = new float[size];
    grads = new float[size];
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Registers tensors in order; offsets are assigned at registration. */
  public static final class Builder {
    private final List<Tensor> tensors = new ArrayList<>();
    private final Map<String, Tensor> names = new LinkedHashMap<>();
    private int size;
    private boolean built;

    private Builder() {}

    /** A dense tensor (weights, biases, positional embeddings); {@code decay}: weight decay applies. */
    public Tensor dense(String name, boolean decay, int... shape) {
      return add(new Tensor(name, size, shape, false, decay));
    }

    /** An embedding table {@code rows × cols} with sparse row gradients. */
    public Tensor table(String name, int rows, int cols) {
      return add(new Tensor(name, size, new int[] {rows, cols}, true, true));
    }

    private Tensor add(Tensor t) {
      if (built) {
        throw new IllegalStateException("the parameter set is already built");
      }
      if (names.containsKey(t.name())) {
        throw new IllegalArgumentException("duplicate parameter name " + t.name());
      }
      names.put(t.name(), t);
      tensors.add(t);
      size = Math.addExact(size, t.size());
      return t;
    }

    /** Allocates the value and gradient arrays (zero-filled; layers' {@code init} fills values). */
    public ParameterSet build() {
      built = true;
      return new ParameterSet(tensors, size);
    }
  }

  public float[] values() {
    return values;
  }

  public float[] grads() {
    return grads;
  }

  /** Total number of floats. */
  public int size() {
    return values.length;
  }

  public List<Tensor> tensors() {
    return tensors;
  }

  public Tensor tensor(String name) {
    Tensor t = byName.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no parameter named " + name + " (have " + byName.keySet() + ")");
    }
    return t;
  }

  /** The pruning mask every optimiser step re-applies, or {@code null} (see {@link PruneMask}). */
  public PruneMask mask() {
    return mask;
  }

  void setMask(PruneMask mask) {
    this.mask = mask;
  }

  /** Puts the pruned weights back to zero after an update moved them. */
  public void applyMask() {
    PruneMask m = mask;
    if (m != null) {
      m.apply(values);
    }
  }

  /** The rows of {@code table} touched since the last {@link #zeroGrad()}. */
  public RowSet touched(Tensor table) {
    RowSet rows = touched.get(table);
    if (rows == null) {
      throw new IllegalArgumentException(table.name() + " is not an embedding table");
    }
    return rows;
  }

  /** Zeroes the gradient: dense tensors in runs of contiguous views, tables by touched rows. */
  public void zeroGrad() {
    int runStart = -1;
    int runEnd = -1;
    for (Tensor t : tensors) {
      if (t.isTable()) {
        RowSet rows = touched.get(t);
        int c = t.cols();
        for (int i = 0; i < rows.size(); i++) {
          int at = t.offset() + rows.get(i) * c;
          Arrays.fill(grads, at, at + c, 0f);
        }
        rows.clear();
      } else if (t.offset() == runEnd) {
        runEnd += t.size();
      } else {
        if (runStart >= 0) {
          Arrays.fill(grads, runStart, runEnd, 0f);
        }
        runStart = t.offset();
        runEnd = t.offset() + t.size();
      }
    }
    if (runStart >= 0) {
      Arrays.fill(grads, runStart, runEnd, 0f);
    }
  }

  /** {@code Σ g²} over the whole set (untouched table rows are zero and skipped). */
  public double gradSquaredNorm() {
    double s = 0;
    for (Tensor t : tensors) {
      if (t.isTable()) {
        RowSet rows = touched.get(t);
        for (int i = 0; i < rows.size(); i++) {
          s += squares(grads, t.offset() + rows.get(i) * t.cols(), t.cols());
        }
      } else {
        s += squares(grads, t.offset(), t.size());
      }
    }
    return s;
  }

  /**
   * {@code into += scale · grads} over the dense tensors and the touched table rows ({@code into}
   * has the set's layout): how DP-SGD sums per-example gradients, each clipped by its own scale.
   */
  public void accumulateGrad(float[] into, float scale) {
    if (into.length != grads.length) {
      throw new IllegalArgumentException("accumulator holds " + into.length + " floats, the set " + grads.length);
    }
    for (Tensor t : tensors) {
      if (t.isTable()) {
        RowSet rows = touched.get(t);
        for (int i = 0; i < rows.size(); i++) {
          addScaled(into, grads, t.offset() + rows.get(i) * t.cols(), t.cols(), scale);
        }
      } else {
        addScaled(into, grads, t.offset(), t.size(), scale);
      }
    }
  }

  /**
   * Global-norm clipping across the whole set (Pascanu et al. 2013): if {@code ‖g‖ > maxNorm}, every
   * gradient is scaled by {@code maxNorm / ‖g‖}, so the update keeps its direction.
   *
   * @return the norm before clipping
   */
  public double clipGradNorm(double maxNorm) {
    double norm = Math.sqrt(gradSquaredNorm());
    if (norm > maxNorm && maxNorm > 0) {
      float scale = (float) (maxNorm / norm);
      for (Tensor t : tensors) {
        if (t.isTable()) {
          RowSet rows = touched.get(t);
          for (int i = 0; i < rows.size(); i++) {
            scale(grads, t.offset() + rows.get(i) * t.cols(), t.cols(), scale);
          }
        } else {
          scale(grads, t.offset(), t.size(), scale);
        }
      }
    }
    return norm;
  }

  /** Fills {@code t} with {@code value}. */
  public void fill(Tensor t, float value) {
    Arrays.fill(values, t.offset(), t.offset() + t.size(), value);
  }

  /** Fills {@code t} uniformly from {@code [-bound, bound)}. */
  public void uniform(Tensor t, float bound, SplittableRandom rng) {
    for (int i = t.offset(); i < t.offset() + t.size(); i++) {
      values[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
  }

  /** Fills {@code t} from a normal distribution with standard deviation {@code std}. */
  public void normal(Tensor t, float std, SplittableRandom rng) {
    for (int i = t.offset(); i < t.offset() + t.size(); i += 2) {
      // Box–Muller: two independent normals per pair of uniforms
      double u = 1 - rng.nextDouble();
      double v = rng.nextDouble();
      double r = Math.sqrt(-2 * Math.log(u)) * std;
      values[i] = (float) (r * Math.cos(2 * Math.PI * v));
      if (i + 1 < t.offset() + t.size()) {
        values[i + 1] = (float) (r * Math.sin(2 * Math.PI * v));
      }
    }
  }

  private static double squares(float[] a, int from, int n) {
    // a float sum per row or tensor is plenty for a clipping norm; one chain of dependent double
    // adds was latency-bound (~4 cycles a term) and a tenth of an online step
    return io.perennial.kernel.VectorOps.dot(a, from, a, from, n);
  }

  private static void addScaled(float[] into, float[] from, int at, int n, float k) {
    for (int i = at; i < at + n; i++) {
      into[i] += k * from[i];
    }
  }

  private static void scale(float[] a, int from, int n, float k) {
    for (int i = from; i < from + n; i++) {
      a[i] *= k;
    }
  }
}
