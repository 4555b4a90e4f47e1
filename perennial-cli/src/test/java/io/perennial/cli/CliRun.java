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

/** Runs the real command line in-process, capturing stdout and stderr (for the CLI tests). */
final class CliRun {

  final int exitCode;
  final String stdout;
  final String stderr;

  private CliRun(int exitCode, String stdout, String stderr) {
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  static CliRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      CommandLine cli = Main.commandLine();
      cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
      int code = cli.execute(args);
      return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }

  /**
   * A MovieLens-style ratings file of 8,000 synthetic 0.5–5 star ratings (300 users, 200 items),
   * each passed through {@code value}.
   */
  static Path ratingsCsv(Path file, DoubleUnaryOperator value) throws IOException {
    StringBuilder sb = new StringBuilder("userId,movieId,rating,timestamp\n");
    new SyntheticGenerator(SyntheticConfig.defaults().withEvents(8_000).withRatings(true).withSize(300, 200))
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
