package io.perennial.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingListener;
import io.perennial.model.TrainingOptions;
import io.perennial.model.quantized.QuantizedModel;
import io.perennial.store.Checkpoint;
import io.perennial.store.Provenance;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code perennial bench scale}: a synthetic world of fixed size through every phase of a training
 * run on one machine — generation (parallel), ingestion into the training layout, BPR and iALS,
 * the checkpoint — with time, peak heap and peak RSS per phase. Before generating anything it
 * estimates the heap the run needs from the memory model ({@link #estimate}) and refuses, with the
 * figures, a run that cannot fit.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
    description = {"Generate a fixed-size synthetic world and train BPR and iALS on it; time, peak heap and peak RSS "
        + "per phase (generate, ingest, train, checkpoint). Refuses up front, with the estimate, a run the heap "
        + "cannot hold."})
final class ScaleBenchCommand implements Callable<Integer> {

  @Option(names = "--events", defaultValue = "10000000", paramLabel = "N", description = "Events. Default: ${DEFAULT-VALUE}.")
  long events;

  @Option(names = "--users", defaultValue = "200000", paramLabel = "N", description = "Users. Default: ${DEFAULT-VALUE}.")
  int users;

  @Option(names = "--items", defaultValue = "50000", paramLabel = "N", description = "Items. Default: ${DEFAULT-VALUE}.")
  int items;

  @Option(names = "--models", split = ",", defaultValue = "bpr,ials", paramLabel = "NAME",
      description = "Models to train, in order: bpr, ials. Default: ${DEFAULT-VALUE}.")
  List<String> models;

  @Option(names = "--epochs", defaultValue = "1", paramLabel = "N", description = "BPR epochs. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--iterations", defaultValue = "1", paramLabel = "N", description = "iALS iterations. Default: ${DEFAULT-VALUE}.")
  int iterations;

  @Option(names = "--factors", defaultValue = "64", paramLabel = "N", description = "Factors of both models. Default: ${DEFAULT-VALUE}.")
  int factors;

  @Option(names = "--checkpoint", paramLabel = "DIR",
      description = "Write each trained model here as an int8 checkpoint (timed); without it no checkpoint is written.")
  Path checkpointDir;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
  Path json;

  /** Bytes per event, per user and per item of each phase: the memory model in docs/BENCHMARKS.md. */
  record Estimate(long generate, long ingest, long bpr, long ials, long checkpoint) {
    long peak(List<String> models, boolean checkpoint) {
      long train = 0;
      if (models.contains("bpr")) {
        train = Math.max(train, bpr);
      }
      if (models.contains("ials")) {
        train = Math.max(train, ials);
      }
      return generate + ingest + train + (checkpoint ? this.checkpoint : 0);
    }
  }

  /**
   * The heap each phase adds, held until the end of the run unless said otherwise. Events: the log
   * (21 B: user, item, value, timestamp, type), the by-user CSR each trainer builds (8 B, transient),
   * the history a model keeps (8 B, plus two array headers per user); iALS adds the by-item CSR
   * (8 B, transient) and solves in place. Ids: about 100 B each (string, map entry, list slot).
   * Tables: 4 B per factor per user and item, BPR's Adagrad state doubles them, and the transposed
   * item copy scoring keeps. The int8 checkpoint copies the tables as codes (1 B per factor) and
   * the history compactly (about 2 B per event).
   */
  static Estimate estimate(long events, long users, long items, int factors, int shardsInFlight) {
    long generate = 21 * events + 100 * (users + items) + (long) shardsInFlight * users * 16 * 4;
    long ingest = 0;
    long history = 8 * events + 32 * users;
    long tables = 4L * factors * (users + items);
    long bpr = 8 * events + history + 2 * tables + 4L * factors * items;
    long ials = 16 * events + history + tables + 4L * factors * items;
    long checkpoint = (long) factors * (users + items) + 2 * events + 8 * users;
    return new Estimate(generate, ingest, bpr, ials, checkpoint);
  }

  @Override
  public Integer call() throws IOException {
    PrintStream out = System.out;
    if (events < 1 || users < 1 || items < 1 || epochs < 1 || iterations < 1 || factors < 1) {
      throw new UserException("--events, --users, --items, --epochs, --iterations and --factors must be at least 1");
    }
    if (events > Integer.MAX_VALUE - 8) {
      throw new UserException("--events: at most " + (Integer.MAX_VALUE - 8) + " events fit one interaction log");
    }
    for (String m : models) {
      if (!m.equals("bpr") && !m.equals("ials")) {
        throw new UserException("--models: bench scale trains bpr and ials, not '" + m + "'");
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    long heapMax = Runtime.getRuntime().maxMemory();
    Estimate estimate = estimate(events, users, items, factors, Math.min(cores, 16));
    long needed = estimate.peak(models, checkpointDir != null);
    out.printf(Locale.ROOT, "memory model: about %s of heap for %,d events, %,d users, %,d items × %d factors "
        + "(generate %s, %s); heap maximum %s%n", gb(needed), events, users, items, factors, gb(estimate.generate()),
        String.join(", ", models.stream().map(m -> m + " " + gb(m.equals("bpr") ? estimate.bpr() : estimate.ials())).toList()),
        gb(heapMax));
    if (needed > heapMax) {
      throw new UserException(String.format(Locale.ROOT, "this run needs about %s of heap, more than the maximum of %s: "
          + "give the JVM more (PERENNIAL_HEAP=%dg ./perennial …) or make the world smaller", gb(needed), gb(heapMax),
          (long) Math.ceil(needed * 1.15 / (1L << 30))));
    }
    ObjectNode root = Json.object();
    root.set("machine", BenchCommand.machine());
    root.put("events", events);
    root.put("users", users);
    root.put("items", items);
    root.put("factors", factors);
    root.put("estimated_heap_bytes", needed);
    ArrayNode phases = root.putArray("phases");

    Phase generate = Phase.start("generate");
    Dataset dataset = SyntheticGenerator.generate(SyntheticConfig.defaults().withSize(users, items).withArrivals(0, 0)
        .withEvents(events));
    generate.end(out, phases, String.format(Locale.ROOT, "%,d events (%,d users, %,d items) on %d threads",
        dataset.size(), dataset.userCount(), dataset.itemCount(), cores));

    Phase ingest = Phase.start("ingest");
    var byUser = dataset.byUser();
    ingest.end(out, phases, String.format(Locale.ROOT, "by-user CSR of %,d non-zeros", byUser.nonZeros()));
    byUser = null;

    TrainingListener progress = Terminal.progress(out);
    for (String m : models) {
      String config = m.equals("bpr")
          ? "{\"factors\":" + factors + ",\"epochs\":" + epochs + ",\"threads\":" + cores + "}"
          : "{\"factors\":" + factors + ",\"iterations\":" + iterations + ",\"threads\":" + cores + "}";
      Phase train = Phase.start("train " + m);
      Recommender model;
      try {
        model = Algorithms.trainer(m, Json.MAPPER.readTree(config)).fit(dataset, TrainingOptions.of(progress));
      } catch (IllegalArgumentException e) {
        throw new UserException(m + ": " + e.getMessage());
      }
      train.end(out, phases, m.equals("bpr") ? epochs + " epoch(s), " + cores + " threads"
          : iterations + " iteration(s), " + cores + " threads");
      if (checkpointDir != null) {
        Phase write = Phase.start("checkpoint " + m);
        QuantizedModel int8 = QuantizedModel.of(model);
        model = null;
        Path file = checkpointDir.resolve("scale-" + m + "-int8.pmdl");
        Files.createDirectories(checkpointDir);
        new Checkpoint(int8.state(), dataset.users(), dataset.items(), Provenance.ofTraining(42, "synthetic", dataset))
            .write(file);
        write.end(out, phases, String.format(Locale.ROOT, "%s, %s", file, gb(Files.size(file))));
      }
    }
    if (json != null) {
      Json.write(json, root);
      out.println("wrote " + json);
    }
    return 0;
  }

  private static String gb(long bytes) {
    return String.format(Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
  }

  /** Time, peak heap (pool peaks reset at the start) and peak RSS of one phase. */
  private static final class Phase {
    final String name;
    final long start = System.nanoTime();

    private Phase(String name) {
      this.name = name;
    }

    static Phase start(String name) {
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          pool.resetPeakUsage();
        }
      }
      resetPeakRss();
      return new Phase(name);
    }

    void end(PrintStream out, ArrayNode phases, String what) {
      double seconds = (System.nanoTime() - start) / 1e9;
      long heap = BenchCommand.peakHeapBytes();
      long rss = procStatus("VmHWM:");
      out.printf(Locale.ROOT, "%-18s %8.1f s   peak heap %s   peak RSS %s   %s%n", name, seconds, gb(heap),
          rss < 0 ? "n/a" : gb(rss), what);
      ObjectNode row = phases.addObject();
      row.put("phase", name);
      row.put("seconds", seconds);
      row.put("peak_heap_bytes", heap);
      if (rss >= 0) {
        row.put("peak_rss_bytes", rss);
      } else {
        row.putNull("peak_rss_bytes");
      }
      row.put("detail", what);
    }
  }

  /** Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS. */
  private static void resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // not Linux, or not allowed: the peak is then the peak since start-up
    }
  }

  /** A {@code /proc/self/status} size field in bytes, or -1 where there is none. */
  private static long procStatus(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }
}
