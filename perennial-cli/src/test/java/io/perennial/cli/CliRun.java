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
}
