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
import picocli.CommandLine;

/** Runs the real command line in-process with stdout and stderr captured, for one test at a time. */
final class CliHarness implements AutoCloseable {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream originalOut = System.out;

  CliHarness() {
    // Logging starts before stdout is captured, so a logback status message cannot land in it.
    org.slf4j.LoggerFactory.getILoggerFactory();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
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

  /** A MovieLens-style {@code ratings.csv} of {@code events} generated ratings, ids 0…299 and 0…199. */
  static Path ratingsCsv(Path dir, int events) throws IOException {
    Path file = dir.resolve("ratings.csv");
    StringBuilder sb = new StringBuilder("userId,movieId,rating,timestamp\n");
    new SyntheticGenerator(SyntheticConfig.defaults().withEvents(events).withRatings(true).withSize(300, 200))
        .forEachRemaining(e -> sb.append(e.user()).append(',').append(e.item()).append(',')
            .append(e.value()).append(',').append(e.timestamp()).append('\n'));
    Files.writeString(file, sb);
    return file;
  }
}
