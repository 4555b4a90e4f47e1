package io.perennial.cli;

import io.perennial.data.Dataset;
import io.perennial.data.DatasetFetcher;
import io.perennial.data.DatasetStats;
import io.perennial.data.RemoteDataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perennial datasets}: fetch public datasets and describe data files. */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "Fetch, describe, generate and encode datasets.",
    subcommands = {DatasetsCommand.Fetch.class, DatasetsCommand.Info.class, DatasetsCommand.Generate.class,
        EncodeCommand.class})
final class DatasetsCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return Main.missingSubcommand(spec);
  }

  @Command(name = "fetch", mixinStandardHelpOptions = true,
      description = "Download a MovieLens archive from GroupLens, verify its SHA-256 and unpack it into the cache.")
  static final class Fetch implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "ml-latest-small, ml-100k, ml-1m or ml-25m.")
    String name;

    @Option(names = "--cache", paramLabel = "DIR", description = "Cache folder. Default: ~/.cache/perennial.")
    Path cache;

    @Option(names = "--base-url", paramLabel = "URL", hidden = true, description = "Mirror to download from.")
    String baseUrl;

    @Override
    public Integer call() {
      DatasetFetcher fetcher = new DatasetFetcher(
          URI.create(baseUrl != null ? baseUrl : RemoteDataset.GROUPLENS_BASE),
          cache != null ? cache : DatasetFetcher.defaultCache(), RemoteDataset.MOVIELENS);
      boolean tty = Terminal.interactive();
      RemoteDataset meta = RemoteDataset.MOVIELENS.get(name);
      long[] lastPrint = {0};
      Path dir = fetcher.fetch(name, bytes -> {
        long now = System.nanoTime();
        if (tty && meta != null && now - lastPrint[0] > 200_000_000L) {
          lastPrint[0] = now;
          System.out.printf(Locale.ROOT, "\r%s: %.1f / %.1f MB", name, bytes / 1e6, meta.size() / 1e6);
        }
      });
      if (tty) {
        System.out.print("\r" + " ".repeat(50) + "\r");
      }
      System.out.println(dir);
      return 0;
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "Print users, items, interactions, density, time span and popularity skew of a data file.")
  static final class Info implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "Interactions file (or MovieLens folder).")
    Path file;

    @Mixin InfoDataOptions options;

    @Override
    public Integer call() {
      options.data = file;
      Dataset dataset = options.read();
      DatasetStats s = DatasetStats.of(dataset);
      PrintStream out = System.out;
      out.printf(Locale.ROOT, "file          %s%n", file);
      out.printf(Locale.ROOT, "read          %s%n", dataset.report().summary());
      for (String example : dataset.report().examples()) {
        out.printf(Locale.ROOT, "  dropped     %s%n", example);
      }
      out.printf(Locale.ROOT, "users         %,d%n", s.users());
      out.printf(Locale.ROOT, "items         %,d%n", s.items());
      out.printf(Locale.ROOT, "interactions  %,d%n", s.interactions());
      out.printf(Locale.ROOT, "density       %.4f%%%n", s.density() * 100);
      if (dataset.report().inFileOrder()) {
        out.printf(Locale.ROOT, "time span     none: no timestamps (file order stands in for time)%n");
      } else if (s.interactions() > 0) {
        out.printf(Locale.ROOT, "time span     %s .. %s (%.1f days)%n", Instant.ofEpochSecond(s.firstTimestamp()),
            Instant.ofEpochSecond(s.lastTimestamp()), (s.lastTimestamp() - s.firstTimestamp()) / 86400.0);
      }
      out.printf(Locale.ROOT, "mean value    %.3f%n", s.meanValue());
      out.printf(Locale.ROOT, "item Gini     %.3f  (popularity skew: 0 uniform, 1 all on one item)%n", s.itemGini());
      out.printf(Locale.ROOT, "user Gini     %.3f  (activity skew)%n", s.userGini());
      return 0;
    }
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Stream a synthetic interaction log (deterministic from --seed) to CSV or JSON Lines, in constant memory.")
  static final class Generate implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file; .jsonl writes JSON Lines, anything else CSV.")
    Path out;

    @Option(names = "--events", defaultValue = "1000000", paramLabel = "N", description = "Events. Default: ${DEFAULT-VALUE}.")
    long events;

    @Option(names = "--users", defaultValue = "2000", paramLabel = "N", description = "Initial users. Default: ${DEFAULT-VALUE}.")
    int users;

    @Option(names = "--items", defaultValue = "1000", paramLabel = "N", description = "Initial items. Default: ${DEFAULT-VALUE}.")
    int items;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--ratings", description = "Emit 0.5–5 star ratings instead of implicit events.")
    boolean ratings;

    @Option(names = "--drift", defaultValue = "0.01", paramLabel = "STEP", description = "Taste random-walk step per event. Default: ${DEFAULT-VALUE}.")
    double drift;

    @Option(names = "--item-lifetime", defaultValue = "0", paramLabel = "EVENTS",
        description = "Mean events an item stays popular before fading (0 = never). Default: ${DEFAULT-VALUE}.")
    long itemLifetime;

    @Option(names = "--shift-at", defaultValue = "-1", paramLabel = "F",
        description = "Fraction of the stream at which all tastes jump (negative = none). Default: ${DEFAULT-VALUE}.")
    double shiftAt;

    @Override
    public Integer call() {
      SyntheticConfig config;
      try {
        config = SyntheticConfig.defaults().withSeed(seed).withSize(users, items).withEvents(events)
            .withRatings(ratings).withDrift(drift, itemLifetime).withShiftAt(shiftAt);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
      long t0 = System.nanoTime();
      SyntheticGenerator generator = new SyntheticGenerator(config);
      if (out.getFileName().toString().endsWith(".jsonl")) {
        generator.writeJsonLines(out);
      } else {
        generator.writeCsv(out);
      }
      System.out.printf(Locale.ROOT, "wrote %,d events (%,d users, %,d items) to %s in %.1fs%n", events,
          generator.userCount(), generator.itemCount(), out, (System.nanoTime() - t0) / 1e9);
      return 0;
    }
  }

  /** Data options without the --data flag (the file is the positional parameter). */
  static final class InfoDataOptions {
    Path data;

    @Option(names = "--format", defaultValue = "movielens", paramLabel = "FORMAT",
        description = "movielens, ml100k, ml1m, ml25m, csv, tsv, jsonl, seq-pairs, seq-lines. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--on-error", defaultValue = "fail", paramLabel = "POLICY", description = "fail or skip.")
    String onError;

    @Mixin LayoutOptions layout = new LayoutOptions();

    Dataset read() {
      return DataOptions.of(data, format, false, "keep-all", onError).withLayout(layout).read();
    }
  }
}
