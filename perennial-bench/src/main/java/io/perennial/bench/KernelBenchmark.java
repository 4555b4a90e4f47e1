package io.perennial.bench;

import io.perennial.kernel.KernelBench;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scalar versus vector path of the hot loops. {@code matVec} is the scoring loop of every factor
 * model's top-K (10,000 items × factors); {@code dot} and {@code axpy} are the per-event update.
 *
 * <p>Run: {@code java -jar perennial-bench/target/benchmarks.jar KernelBenchmark}; the matrix products
 * alone: {@code KernelBenchmark.MatMul}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBenchmark {

  @Param({"32", "64", "128"})
  int factors;

  private static final int ITEMS = 10_000;
  private float[] a;
  private float[] b;
  private float[] matrix;
  private float[] columns;
  private float[] scores;

  @Setup
  public void setUp() {
    SplittableRandom r = new SplittableRandom(1);
    a = new float[factors];
    b = new float[factors];
    for (int i = 0; i < factors; i++) {
      a[i] = (float) r.nextGaussian();
      b[i] = (float) r.nextGaussian();
    }
    matrix = new float[ITEMS * factors];
    for (int i = 0; i < matrix.length; i++) {
      matrix[i] = (float) r.nextGaussian();
    }
    columns = io.perennial.kernel.VectorOps.transpose(matrix, ITEMS, factors);
    scores = new float[ITEMS];
  }

  @Benchmark
  public float dotScalar() {
    return KernelBench.scalarDot(a, b);
  }

  @Benchmark
  public float dotVector() {
    return KernelBench.vectorDot(a, b);
  }

  @Benchmark
  public float[] axpyScalar() {
    KernelBench.scalarAxpy(1e-3f, a, b);
    return b;
  }

  @Benchmark
  public float[] axpyVector() {
    KernelBench.vectorAxpy(1e-3f, a, b);
    return b;
  }

  @Benchmark
  public float[] matVecScalar() {
    KernelBench.scalarMatVec(matrix, ITEMS, factors, a, scores);
    return scores;
  }

  @Benchmark
  public float[] matVecVector() {
    KernelBench.vectorMatVec(matrix, ITEMS, factors, a, scores);
    return scores;
  }

  @Benchmark
  public float[] matVecTransposedScalar() {
    KernelBench.scalarMatVecTransposed(columns, ITEMS, factors, a, scores);
    return scores;
  }

  @Benchmark
  public float[] matVecTransposedVector() {
    KernelBench.vectorMatVecTransposed(columns, ITEMS, factors, a, scores);
    return scores;
  }

  /**
   * The three matrix products, scalar versus vector, one thread, at the deep models' shapes
   * ({@code m×k×n}: C is m × n, the sum runs over k; each call is 2·m·k·n flops):
   * {@code 6400x64x64} a SASRec linear layer at batch 128 × length 50, d 64 (A·B forward, A·Bᵀ the
   * input gradient); {@code 64x6400x64} its weight gradient (Aᵀ·B); {@code 50x64x50} one head's
   * attention scores (Q·Kᵀ); {@code 6400x64x256} the feed-forward block's first layer.
   */
  @State(Scope.Thread)
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 3, time = 1)
  @Measurement(iterations = 5, time = 1)
  @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
  public static class MatMul {

    @Param({"6400x64x64", "64x6400x64", "50x64x50", "6400x64x256"})
    String shape;

    private int m;
    private int k;
    private int n;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setUp() {
      String[] dims = shape.split("x");
      m = Integer.parseInt(dims[0]);
      k = Integer.parseInt(dims[1]);
      n = Integer.parseInt(dims[2]);
      SplittableRandom r = new SplittableRandom(2);
      a = new float[m * k];
      b = new float[k * n];
      c = new float[m * n];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) r.nextGaussian();
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) r.nextGaussian();
      }
    }

    @Benchmark
    public float[] abScalar() {
      KernelBench.matMul(false, a, b, c, m, k, n);
      return c;
    }

    @Benchmark
    public float[] abVector() {
      KernelBench.matMul(true, a, b, c, m, k, n);
      return c;
    }

    /** B read as n × k. */
    @Benchmark
    public float[] abtScalar() {
      KernelBench.matMulTransB(false, a, b, c, m, k, n);
      return c;
    }

    /** Packs Bᵀ into a per-thread buffer, then the A·B kernel. */
    @Benchmark
    public float[] abtVector() {
      KernelBench.matMulTransB(true, a, b, c, m, k, n);
      return c;
    }

    /** The alternative to packing: one vector dot product per element of C. */
    @Benchmark
    public float[] abtVectorDots() {
      KernelBench.matMulTransBByDots(a, b, c, m, k, n);
      return c;
    }

    /** The other alternative: 2 × 4 blocks of dot products, eight accumulators, horizontal sums. */
    @Benchmark
    public float[] abtVectorDotTiles() {
      KernelBench.matMulTransBByDotTiles(a, b, c, m, k, n);
      return c;
    }

    /** A read as k × m. */
    @Benchmark
    public float[] atbScalar() {
      KernelBench.matMulTransA(false, a, b, c, m, k, n);
      return c;
    }

    @Benchmark
    public float[] atbVector() {
      KernelBench.matMulTransA(true, a, b, c, m, k, n);
      return c;
    }
  }

  /**
   * The training kernels of issue 18, scalar versus vector, one thread: the iALS sparse pass over
   * 1,024 random rows of a 10,000-row table ({@code confidence*}, per call), the dense {@code G v}
   * ({@code gramVec*}), and one BPR update ({@code bprStep*}), at k = 32, 64, 128.
   */
  @State(Scope.Thread)
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Warmup(iterations = 3, time = 1)
  @Measurement(iterations = 5, time = 1)
  @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
  public static class Training {

    @Param({"32", "64", "128"})
    int factors;

    float[] table;
    float[] gram;
    float[] v;
    float[] out;
    int[] cols;
    float[] values;
    int step;

    @Setup
    public void setup() {
      java.util.SplittableRandom r = new java.util.SplittableRandom(7);
      table = new float[10_000 * factors];
      for (int i = 0; i < table.length; i++) {
        table[i] = (float) (r.nextDouble() - 0.5) * 0.1f;
      }
      gram = new float[factors * factors];
      for (int a = 0; a < factors; a++) {
        for (int b = 0; b <= a; b++) {
          gram[a * factors + b] = gram[b * factors + a] = (float) r.nextDouble();
        }
      }
      v = java.util.Arrays.copyOf(table, factors);
      out = new float[factors];
      cols = new int[1_024];
      values = new float[1_024];
      for (int n = 0; n < cols.length; n++) {
        cols[n] = r.nextInt(10_000);
        values[n] = 1f;
      }
    }

    @Benchmark
    public float[] confidenceScalar() {
      KernelBench.confidenceProducts(false, table, factors, cols, values, v, out);
      return out;
    }

    @Benchmark
    public float[] confidenceVector() {
      KernelBench.confidenceProducts(true, table, factors, cols, values, v, out);
      return out;
    }

    @Benchmark
    public float[] gramVecScalar() {
      KernelBench.symmetricMatVec(false, gram, factors, v, out);
      return out;
    }

    @Benchmark
    public float[] gramVecVector() {
      KernelBench.symmetricMatVec(true, gram, factors, v, out);
      return out;
    }

    @Benchmark
    public float bprStepScalar() {
      step = (step + 1) & 1023;
      return KernelBench.bprStep(false, v, table, cols[step], cols[(step + 7) & 1023], factors);
    }

    @Benchmark
    public float bprStepVector() {
      step = (step + 1) & 1023;
      return KernelBench.bprStep(true, v, table, cols[step], cols[(step + 7) & 1023], factors);
    }
  }
}
