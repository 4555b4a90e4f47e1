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
 * <p>Run: {@code java -jar perennial-bench/target/benchmarks.jar KernelBenchmark}.
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
}
