package io.perennial.cli;

import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import picocli.CommandLine;

/** Runs the real command line in-process with stdout and stderr captured, for one test at a time. */
final class CliHarness implements AutoCloseable {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream originalOut = System.out;

  CliHarness() {
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  /** What one run of the command printed, and its exit code. */
  record Result(int exitCode, String stdout, String stderr) {}

  /** Runs {@code perennial args...} once with its own capture. */
  static Result runOnce(String... args) {
    try (CliHarness cli = new CliHarness()) {
      int code = cli.run(args);
      return new Result(code, cli.stdout(), cli.stderr());
    }
  }

  /** Runs {@code perennial args...} and returns its exit code; output from earlier runs is cleared. */
  int run(String... args) {
    out.reset();
    err.reset();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    return cli.execute(args);
  }

  String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    System.setOut(originalOut);
  }

  /** A MovieLens-style {@code ratings.csv} in {@code dir} of {@code events} generated ratings, ids 0…299 and 0…199. */
  static Path ratingsCsv(Path dir, int events) throws IOException {
    return ratingsCsv(dir.resolve("ratings.csv"), events, v -> v);
  }

  /**
   * A MovieLens-style ratings file of {@code events} synthetic 0.5–5 star ratings (300 users, 200
   * items), each passed through {@code value}.
   */
  static Path ratingsCsv(Path file, int events, DoubleUnaryOperator value) throws IOException {
    StringBuilder sb = new StringBuilder("userId,movieId,rating,timestamp\n");
    new SyntheticGenerator(SyntheticConfig.defaults().withEvents(events).withRatings(true).withSize(300, 200))
        .forEachRemaining(e -> sb.append(e.user()).append(',').append(e.item()).append(',')
            .append((float) value.applyAsDouble(e.value())).append(',').append(e.timestamp()).append('\n'));
    Files.writeString(file, sb);
    return file;
  }

  /**
   * A MovieLens-style file of 12,000 ratings on a 0–100 scale (300 users, 200 items, popularity
   * skewed as in real catalogues): 50 plus user and item effects plus noise, rounded and clipped, so
   * values spread over the whole scale. Each value is divided by {@code divideBy} (20 gives 0–5
   * stars).
   */
  static Path percentRatingsCsv(Path file, double divideBy) throws IOException {
    SplittableRandom random = new SplittableRandom(1);
    double[] userEffect = random.doubles(300).map(u -> 25 * gaussian(random)).toArray();
    double[] itemEffect = random.doubles(200).map(u -> 25 * gaussian(random)).toArray();
    StringBuilder sb = new StringBuilder("userId,movieId,rating,timestamp\n");
    for (int e = 0; e < 12_000; e++) {
      int u = random.nextInt(300);
      int i = (int) (Math.pow(random.nextDouble(), 2.5) * 200); // a few popular items, a long tail
      long value = Math.round(Math.max(0, Math.min(100, 50 + userEffect[u] + itemEffect[i] + 25 * gaussian(random))));
      sb.append(u).append(',').append(i).append(',').append((float) (value / divideBy)).append(',')
          .append(1_700_000_000L + e).append('\n');
    }
    Files.writeString(file, sb);
    return file;
  }

  private static double gaussian(SplittableRandom random) {
    return new java.util.Random(random.nextLong()).nextGaussian();
  }
}
