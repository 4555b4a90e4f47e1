package io.perennial.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.kernel.VectorOps;
import io.perennial.model.Algorithms;
import io.perennial.model.EpochReport;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingListener;
import io.perennial.model.TrainingOptions;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code perennial bench}: end-to-end throughput figures for docs/BENCHMARKS.md. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "End-to-end benchmarks.",
    subcommands = {BenchCommand.Train.class, ScaleBenchCommand.class, BenchCommand.Online.class, ServeBenchCommand.class,
        EncodeBenchCommand.class, BenchCommand.Deep.class, SearchBenchCommand.class})
final class BenchCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return Main.missingSubcommand(spec);
  }

  static ObjectNode machine() {
    ObjectNode m = Json.object();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1 << 20));
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("kernels", VectorOps.implementationName());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    return m;
  }

  /**
   * Wall-clock speed-up of {@code threads} threads over one on a compute-bound kernel whose data
   * sits in each core's L1 cache (the iALS {@code G v + λ v} at k = 64, repeated): how much a second
   * thread can give FMA-bound code on this machine at all. Near {@code threads} on separate physical
   * cores; near 1 when the "cores" are SMT siblings sharing one core's vector units, or are busy. Only
   * meaningful on a quiet machine.
   */
  static double fmaScaling(int threads) {
    int k = 64;
    int reps = 200_000;
    Runnable kernel = () -> {
      float[] g = new float[k * k];
      float[] v = new float[k];
      float[] out = new float[k];
      for (int e = 0; e < g.length; e++) {
        g[e] = (e % 7) * 1e-3f;
      }
      java.util.Arrays.fill(v, 1f);
      for (int r = 0; r < reps; r++) {
        VectorOps.symmetricMatVec(g, k, v, 0.5f, out);
        // feed the result back, scaled to stay bounded, so the JIT cannot drop the loop
        v[r & (k - 1)] = out[r & (k - 1)] * 1e-3f + 1f;
      }
    };
    kernel.run(); // JIT warm-up
    long t0 = System.nanoTime();
    kernel.run();
    double one = System.nanoTime() - t0;
    t0 = System.nanoTime();
    io.perennial.model.Parallel.run(kernel, threads);
    double all = System.nanoTime() - t0;
    return threads * one / all;
  }

  /** Sum of the peak usage of every heap pool since start-up (an upper bound on the peak heap). */
  static long peakHeapBytes() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  /** Collects per-epoch timings: wall time from the reports, CPU (caller and pool workers) read at each epoch's end. */
  static final class Timings implements TrainingListener {
    final List<EpochReport> epochs = new ArrayList<>();
    final List<Long> cpuAtEpochEnd = new ArrayList<>();

    @Override
    public void onEpoch(String model, EpochReport report) {
      cpuAtEpochEnd.add(io.perennial.model.Parallel.cpuNanosNow());
      epochs.add(report);
    }

    /**
     * Median CPU seconds of an epoch after the first (the first one's start is not observed: it
     * would include the set-up before it); NaN with fewer than two epochs.
     */
    double medianEpochCpuSeconds() {
      if (cpuAtEpochEnd.size() < 2) {
        return Double.NaN;
      }
      double[] each = new double[cpuAtEpochEnd.size() - 1];
      for (int e = 1; e < cpuAtEpochEnd.size(); e++) {
        each[e - 1] = (cpuAtEpochEnd.get(e) - cpuAtEpochEnd.get(e - 1)) / 1e9;
      }
      Arrays.sort(each);
      return each.length % 2 == 1 ? each[each.length / 2] : (each[each.length / 2 - 1] + each[each.length / 2]) / 2;
    }

    /** Updates (events) of one epoch after the first, from its rate and wall time (BPR's epochs are equal). */
    double medianEpochEvents() {
      double[] each = new double[Math.max(0, epochs.size() - 1)];
      for (int e = 1; e < epochs.size(); e++) {
        each[e - 1] = epochs.get(e).eventsPerSecond() * (epochs.get(e).elapsedSeconds() - epochs.get(e - 1).elapsedSeconds());
      }
      Arrays.sort(each);
      return each.length == 0 ? Double.NaN : each[each.length / 2];
    }

    double meanEpochSeconds() {
      double previous = 0;
      double sum = 0;
      for (EpochReport r : epochs) {
        sum += r.elapsedSeconds() - previous;
        previous = r.elapsedSeconds();
      }
      return sum / Math.max(1, epochs.size());
    }

    /** Wall seconds of each epoch, in order. */
    double[] epochSeconds() {
      double[] out = new double[epochs.size()];
      double previous = 0;
      for (int e = 0; e < out.length; e++) {
        out[e] = epochs.get(e).elapsedSeconds() - previous;
        previous = epochs.get(e).elapsedSeconds();
      }
      return out;
    }

    double medianEpochSeconds() {
      double[] sorted = epochSeconds();
      if (sorted.length == 0) {
        return Double.NaN;
      }
      Arrays.sort(sorted);
      return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
          : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    double meanEventsPerSecond() {
      return epochs.stream().mapToDouble(EpochReport::eventsPerSecond).average().orElse(Double.NaN);
    }
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "iALS seconds per iteration and BPR sampled updates per second per core.")
  static final class Train implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "FILE", description = "Data to train on (default: a synthetic world).")
    Path data;

    @Option(names = "--format", defaultValue = "movielens", paramLabel = "FORMAT", description = "Data format.")
    String format;

    @picocli.CommandLine.Mixin LayoutOptions layout = new LayoutOptions();

    @Option(names = "--factors", defaultValue = "64", paramLabel = "K", description = "Factors. Default: ${DEFAULT-VALUE}.")
    int factors;

    @Option(names = "--iterations", defaultValue = "10", paramLabel = "N", description = "iALS iterations / BPR epochs. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--threads", paramLabel = "N",
        description = "iALS threads, and BPR's second run (the first is 1 thread). Default: the available processors.")
    Integer threads;

    @Option(names = "--cg-steps", defaultValue = "3", paramLabel = "N", description = "iALS conjugate-gradient steps per row. Default: ${DEFAULT-VALUE}.")
    int cgSteps;

    @Option(names = "--loss", defaultValue = "false", fallbackValue = "true", arity = "0..1", paramLabel = "BOOL",
        description = "Compute the training loss in every timed iteration / epoch (off by default, as in implicit). Default: ${DEFAULT-VALUE}.")
    boolean loss;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
    Path json;

    @Override
    public Integer call() {
      if (threads != null && threads < 1) {
        throw new UserException("--threads must be >= 1, got " + threads);
      }
      if (cgSteps < 1) {
        throw new UserException("--cg-steps must be >= 1, got " + cgSteps);
      }
      Dataset dataset;
      String source;
      if (data != null) {
        dataset = DataOptions.of(data, format, true, "keep-last", "fail").withLayout(layout).read();
        source = data.toString();
      } else {
        dataset = SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(1_000_000));
        source = "synthetic(1M events)";
      }
      PrintStream out = System.out;
      int cores = Runtime.getRuntime().availableProcessors();
      int workers = threads == null ? cores : threads;
      ObjectNode root = Json.object();
      root.set("machine", machine());
      root.put("data", source);
      root.put("interactions", dataset.size());
      if (workers > 1) {
        double scaling = fmaScaling(workers);
        ((ObjectNode) root.get("machine")).put("fma_scaling_" + workers + "_threads", scaling);
        out.printf(Locale.ROOT, "machine: %d threads run an L1-resident FMA kernel %.2f× as fast as one"
            + " (the most a second thread can give iALS's solver here)%n", workers, scaling);
      }
      String ialsConfig = "\"factors\":" + factors + ",\"cgSteps\":" + cgSteps + ",\"threads\":" + workers;
      // warm-up so the JIT has compiled the kernels before we time them
      run("ials", dataset, "{" + ialsConfig + ",\"iterations\":3}", loss);
      Timings ials = new Timings();
      io.perennial.model.ials.IalsTrainer ialsTrainer = (io.perennial.model.ials.IalsTrainer) trainer("ials",
          "{" + ialsConfig + ",\"iterations\":" + iterations + "}");
      long ialsCpu0 = io.perennial.model.Parallel.cpuNanosNow();
      long ialsWorkers0 = io.perennial.model.Parallel.workerCpuNanos();
      ialsTrainer.fit(dataset, TrainingOptions.of(ials).withLossEvery(loss ? 1 : 0));
      // the pool workers' share of the fit's CPU: about (threads − 1) / threads when the work is
      // really split, near 0 when the caller finishes every chunk before a worker starts
      double ialsWorkerShare = (double) (io.perennial.model.Parallel.workerCpuNanos() - ialsWorkers0)
          / Math.max(1, io.perennial.model.Parallel.cpuNanosNow() - ialsCpu0);
      io.perennial.model.ials.IalsConfig used = io.perennial.model.ials.IalsConfig.defaults();
      ObjectNode ialsNode = root.putObject("ials");
      ialsNode.put("factors", factors);
      ialsNode.put("iterations", iterations);
      ialsNode.put("threads", workers);
      ialsNode.put("cg_steps", cgSteps);
      ialsNode.put("alpha", used.alpha());
      ialsNode.put("confidence_on_positives", 1 + used.alpha());
      ialsNode.put("regularization", used.regularization());
      ialsNode.put("loss", loss);
      ialsNode.put("seconds_per_iteration", ials.meanEpochSeconds());
      ialsNode.put("seconds_per_iteration_median", ials.medianEpochSeconds());
      ialsNode.set("seconds_per_iteration_each", Json.MAPPER.valueToTree(ials.epochSeconds()));
      ialsNode.put("cpu_s_per_iteration_median", ials.medianEpochCpuSeconds());
      ialsNode.put("worker_cpu_share", ialsWorkerShare);
      // per phase: CPU (training thread + pool workers) and wall, means over the timed iterations
      io.perennial.model.ials.IalsTrainer.PhaseTimes phases = ialsTrainer.phaseTimes();
      ObjectNode phaseNode = ialsNode.putObject("phases");
      double[] phaseCpu = phases.cpuSeconds();
      double[] phaseWall = phases.wallSeconds();
      int timed = Math.max(1, phases.iterations());
      StringBuilder phaseLine = new StringBuilder();
      for (int ph = 0; ph < phaseCpu.length; ph++) {
        String name = io.perennial.model.ials.IalsTrainer.PhaseTimes.NAMES.get(ph);
        phaseNode.putObject(name).put("cpu_s_per_iteration", phaseCpu[ph] / timed)
            .put("wall_s_per_iteration", phaseWall[ph] / timed);
        phaseLine.append(String.format(Locale.ROOT, "%s %s %.2f/%.2f ms", ph == 0 ? "" : ",", name,
            1e3 * phaseCpu[ph] / timed, 1e3 * phaseWall[ph] / timed));
      }
      out.printf(Locale.ROOT, "iALS  %d factors, %d iterations, %d CG steps, confidence %.0f on positives, λ %.0f,"
          + " loss %s, %d thread%s: %.1f ms/iteration (median %.1f)%n",
          factors, iterations, cgSteps, 1 + used.alpha(), used.regularization(), loss ? "on" : "off", workers,
          workers == 1 ? "" : "s", 1e3 * ials.meanEpochSeconds(), 1e3 * ials.medianEpochSeconds());
      out.printf(Locale.ROOT, "      CPU %.1f ms/iteration (median), %.0f %% of it on pool workers; per phase CPU/wall:%s%n",
          1e3 * ials.medianEpochCpuSeconds(), 100 * ialsWorkerShare, phaseLine);
      ObjectNode bprNode = root.putObject("bpr");
      bprNode.put("factors", factors);
      bprNode.put("epochs", iterations);
      bprNode.put("loss", loss);
      for (int t : workers == 1 ? new int[] {1} : new int[] {1, workers}) {
        String bprConfig = "\"factors\":" + factors + ",\"threads\":" + t;
        run("bpr", dataset, "{" + bprConfig + ",\"epochs\":2}", loss);
        long bprCpu0 = io.perennial.model.Parallel.cpuNanosNow();
        long bprWorkers0 = io.perennial.model.Parallel.workerCpuNanos();
        Timings bpr = run("bpr", dataset, "{" + bprConfig + ",\"epochs\":" + iterations + "}", loss);
        bprNode.put("worker_cpu_share_" + t + "_threads",
            (double) (io.perennial.model.Parallel.workerCpuNanos() - bprWorkers0)
                / Math.max(1, io.perennial.model.Parallel.cpuNanosNow() - bprCpu0));
        double perCore = bpr.meanEventsPerSecond() / t;
        bprNode.put("updates_per_s_" + t + "_threads", bpr.meanEventsPerSecond());
        bprNode.put("updates_per_s_per_core_" + t + "_threads", perCore);
        // CPU per update (training thread + workers): under load the fair comparison of 1 and 2 threads
        double cpuNsPerUpdate = 1e9 * bpr.medianEpochCpuSeconds() / bpr.medianEpochEvents();
        bprNode.put("cpu_ns_per_update_" + t + "_threads", cpuNsPerUpdate);
        out.printf(Locale.ROOT, "BPR   %d factors, %d epochs, loss %s, %d thread%s: %s updates/s (%s per core), CPU %.0f ns/update%n",
            factors, iterations, loss ? "on" : "off", t, t == 1 ? "" : "s", Terminal.human(bpr.meanEventsPerSecond()),
            Terminal.human(perCore), cpuNsPerUpdate);
      }
      if (json != null) {
        Json.write(json, root);
        out.println("wrote " + json);
      }
      return 0;
    }

    private static Timings run(String model, Dataset data, String config, boolean loss) {
      Timings timings = new Timings();
      trainer(model, config).fit(data, TrainingOptions.of(timings).withLossEvery(loss ? 1 : 0));
      return timings;
    }

    private static Trainer trainer(String model, String config) {
      try {
        return Algorithms.trainer(model, Json.MAPPER.readTree(config));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Warm passes of the online learner over the tested stream in {@code bench online}. */
  static final int ONLINE_PASSES = 3;

  @Command(name = "online", mixinStandardHelpOptions = true,
      description = "Update CPU of per-event online learning against full retrains every 10 %%, on the same stream, without serving in between.")
  static final class Online implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "FILE", description = "Interactions (default: 200,000 synthetic events).")
    Path data;

    @Option(names = "--format", defaultValue = "movielens", paramLabel = "FORMAT", description = "Data format.")
    String format;

    @picocli.CommandLine.Mixin LayoutOptions layout = new LayoutOptions();

    @Option(names = "--model", defaultValue = "ials", paramLabel = "NAME", description = "Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
    Path json;

    @Override
    public Integer call() {
      Dataset raw = data != null ? DataOptions.of(data, format, !Algorithms.isExplicit(model), "keep-all", "fail").withLayout(layout)
          .read()
          : SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(200_000));
      Dataset stream = io.perennial.continual.LogEventStream.inStreamOrder(raw);
      var defaults = Algorithms.streamingDefaults(model);
      int warmup = stream.size() / 2;
      int tail = stream.size() - warmup;
      // online: warm model, then every later event in order. The first pass runs in a cold JVM (the
      // interpreter and the compilers' first tiers); it is reported but the figure compared is the
      // median of the warm passes that follow, each from a copy of the same warm model, since a
      // learner that runs for days pays the warm-up once. The full retrains below run warm too.
      var warmCtx = new io.perennial.continual.StreamContext(model, defaults, stream);
      var warmEvents = new io.perennial.continual.LogEventStream(stream.log());
      while (warmEvents.position() < warmup) {
        warmCtx.record(warmEvents.next());
      }
      var start = warmCtx.trainFromScratch(0);
      if (!(start instanceof io.perennial.model.OnlineLearner)) {
        throw new UserException("model " + model + " cannot learn online");
      }
      double[] passes = new double[1 + ONLINE_PASSES];
      for (int pass = 0; pass < passes.length; pass++) {
        var ctx = new io.perennial.continual.StreamContext(model, defaults, stream);
        var events = new io.perennial.continual.LogEventStream(stream.log());
        while (events.position() < warmup) {
          ctx.record(events.next());
        }
        var learner = (io.perennial.model.OnlineLearner) io.perennial.model.Algorithms.copy(start);
        long cpu0 = io.perennial.continual.UpdateStats.cpuNanosNow();
        while (events.hasNext()) {
          var e = events.next();
          ctx.record(e);
          learner.learnOnline(e.user(), e.item(), e.value(), e.timestamp());
        }
        passes[pass] = (io.perennial.continual.UpdateStats.cpuNanosNow() - cpu0) / 1e9;
      }
      double cold = passes[0];
      double[] warm = java.util.Arrays.copyOfRange(passes, 1, passes.length);
      java.util.Arrays.sort(warm);
      double online = warm[warm.length / 2];
      // full: a retrain from scratch at the end of each tenth of the tested stream
      var full = new io.perennial.continual.StreamContext(model, defaults, stream);
      var replay = new io.perennial.continual.LogEventStream(stream.log());
      double fullCpu = 0;
      for (int tenth = 1; tenth <= 10; tenth++) {
        long until = warmup + (long) tail * tenth / 10;
        while (replay.position() < until) {
          full.record(replay.next());
        }
        long c = io.perennial.continual.UpdateStats.cpuNanosNow();
        full.trainFromScratch(0);
        fullCpu += (io.perennial.continual.UpdateStats.cpuNanosNow() - c) / 1e9;
      }
      // online with a recommendation served before each event, as simulate's test-then-learn does,
      // timed as simulate times it (UpdateStats: one event in 8, the clock's own cost left out): the
      // difference from the tight loop is what serving in between costs the update (cold caches)
      // Two passes, the second reported: the first also compiles the serving path.
      double servedOnline = Double.NaN;
      for (int pass = 0; pass < 2; pass++) {
        var servedEvents = new io.perennial.continual.LogEventStream(stream.log());
        while (servedEvents.position() < warmup) {
          servedEvents.next();
        }
        var served = io.perennial.model.Algorithms.copy(start);
        var servedLearner = (io.perennial.model.OnlineLearner) served;
        var servedStats = new io.perennial.continual.UpdateStats();
        while (servedEvents.hasNext()) {
          var e = servedEvents.next();
          served.recommend(e.user(), 10, false, null);
          servedStats.timedPerEvent(() -> servedLearner.learnOnline(e.user(), e.item(), e.value(), e.timestamp()));
        }
        servedOnline = servedStats.cpuSeconds();
      }
      System.out.printf(Locale.ROOT, "%s online: %,d events, %.2f s CPU (%.1f µs/event; median of %d warm passes %s, the"
          + " cold first pass %.2f s); full every 10%%: %.2f s CPU; online/full = %.1f%% (cold pass: %.1f%%)%n",
          model, tail, online, online * 1e6 / tail, warm.length, Arrays.toString(warm), cold, fullCpu,
          100 * online / fullCpu, 100 * cold / fullCpu);
      System.out.printf(Locale.ROOT, "%s online with a recommendation served before each event (as in simulate; second pass): %.2f s CPU"
          + " (%.1f µs/event); online/full = %.1f%%%n", model, servedOnline, servedOnline * 1e6 / tail,
          100 * servedOnline / fullCpu);
      ObjectNode root = Json.object();
      root.set("machine", machine());
      root.put("data", data == null ? "synthetic(200000)" : data.toString());
      root.put("model", model);
      root.put("tested_events", tail);
      root.put("online_cpu_s", online);
      root.put("online_cpu_s_cold_first_pass", cold);
      root.set("online_cpu_s_warm_passes", Json.MAPPER.valueToTree(warm));
      root.put("full_every_10pct_cpu_s", fullCpu);
      root.put("online_over_full", online / fullCpu);
      root.put("online_cpu_s_serving_in_between", servedOnline);
      root.put("online_serving_in_between_over_full", servedOnline / fullCpu);
      if (json != null) {
        Json.write(json, root);
      }
      return 0;
    }
  }

  @Command(name = "deep", mixinStandardHelpOptions = true,
      description = "SASRec: median ms per training step on synthetic sequences; with --data, seconds per epoch.")
  static final class Deep implements Callable<Integer> {
    @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "Data-parallel workers. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--batch", defaultValue = "128", paramLabel = "B", description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--length", defaultValue = "50", paramLabel = "T", description = "Sequence length. Default: ${DEFAULT-VALUE}.")
    int length;

    @Option(names = "--factors", defaultValue = "64", paramLabel = "D", description = "Model width. Default: ${DEFAULT-VALUE}.")
    int factors;

    @Option(names = "--blocks", defaultValue = "2", paramLabel = "N", description = "Attention blocks. Default: ${DEFAULT-VALUE}.")
    int blocks;

    @Option(names = "--heads", defaultValue = "1", paramLabel = "N", description = "Attention heads. Default: ${DEFAULT-VALUE}.")
    int heads;

    @Option(names = "--loss", paramLabel = "LOSS",
        description = "SOFTMAX (sampled, the default's 2048 negatives) or BCE (the paper's one negative). Default: the model's.")
    String loss;

    @Option(names = "--items", defaultValue = "25000", paramLabel = "N", description = "Items of the synthetic table. Default: ${DEFAULT-VALUE}.")
    int items;

    @Option(names = "--steps", defaultValue = "30", paramLabel = "N", description = "Timed steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--warmup", defaultValue = "10", paramLabel = "N", description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--online-events", defaultValue = "300", paramLabel = "N",
        description = "Timed online events (learnOnline: the model's onlineSteps on the user's window plus onlineReplay "
            + "windows) and score calls over --items, on --online-users synthetic full-length histories; 0 = skip. "
            + "Default: ${DEFAULT-VALUE}.")
    int onlineEvents;

    @Option(names = "--online-users", defaultValue = "2000", paramLabel = "N",
        description = "Users of the online model. Default: ${DEFAULT-VALUE}.")
    int onlineUsers;

    @Option(names = "--data", paramLabel = "FILE", description = "Also time one training epoch over this data.")
    Path data;

    @Option(names = "--format", defaultValue = "movielens", paramLabel = "FORMAT", description = "Data format.")
    String format;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
    Path json;

    @Option(names = "--config", paramLabel = "FILE",
        description = "JSON overrides of SASRec's config (e.g. onlineSteps, onlineReplay, onlineNegatives), under the "
            + "shape options above.")
    Path config;

    @Override
    public Integer call() {
      if (threads < 1 || batch < 1 || length < 2 || factors < 1 || blocks < 1 || heads < 1 || items < 2 || steps < 1
          || warmup < 0 || onlineEvents < 0 || onlineUsers < 2) {
        throw new UserException("--threads, --batch, --factors, --blocks, --heads and --steps must be >= 1, "
            + "--length, --items and --online-users >= 2, --warmup and --online-events >= 0");
      }
      if (factors % heads != 0) {
        throw new UserException("--heads must divide --factors, got " + heads + " and " + factors);
      }
      PrintStream out = System.out;
      ObjectNode root = Json.object();
      root.set("machine", machine());
      ObjectNode overrides = Json.object();
      if (config != null && ConfigFiles.overrides(config, "sasrec", 1) instanceof ObjectNode given) {
        overrides.setAll(given);
      }
      overrides.put("factors", factors).put("blocks", blocks).put("heads", heads).put("batchSize", batch)
          .put("threads", threads).put("maxLength", length);
      if (loss != null) {
        String upper = loss.toUpperCase(Locale.ROOT);
        if (!upper.equals("SOFTMAX") && !upper.equals("BCE")) {
          throw new UserException("--loss must be SOFTMAX or BCE, got " + loss);
        }
        overrides.put("loss", upper);
      }
      io.perennial.model.sasrec.SasrecTrainer trainer =
          (io.perennial.model.sasrec.SasrecTrainer) Algorithms.trainer("sasrec", overrides);
      io.perennial.model.sasrec.SasrecBenchmark.StepTimes times = io.perennial.model.sasrec.SasrecBenchmark
          .trainingSteps(trainer.config(), items, batch, length, warmup, steps);
      root.put("batch", batch).put("length", length).put("factors", factors).put("blocks", blocks)
          .put("heads", heads).put("threads", threads).put("items", items).put("steps", steps);
      root.put("loss", trainer.config().loss().name());
      root.put("negatives", trainer.config().negatives());
      root.put("step_ms_median", times.medianMs());
      root.put("step_ms_min", times.minMs());
      out.printf(Locale.ROOT, "SASRec step (batch %d x length %d, d %d, %d blocks, %d heads, %d threads, %d items, %s): "
          + "median %.1f ms, fastest %.1f ms over %d steps%n", batch, length, factors, blocks, heads, threads, items,
          trainer.config().loss(), times.medianMs(), times.minMs(), steps);
      if (onlineEvents > 0) {
        io.perennial.model.sasrec.SasrecBenchmark.ServingTimes serving = io.perennial.model.sasrec.SasrecBenchmark
            .serving(trainer.config(), items, onlineUsers, length, Math.min(onlineEvents, 50), onlineEvents);
        root.put("online_events", serving.events());
        root.put("online_steps", trainer.config().onlineSteps());
        root.put("online_replay", trainer.config().onlineReplay());
        root.put("online_negatives", trainer.config().forOnlineSteps().negatives());
        root.put("online_ms_median", serving.onlineMsMedian());
        root.put("online_ms_min", serving.onlineMsMin());
        root.put("score_ms_median", serving.scoreMsMedian());
        root.put("session_score_ms_median", serving.sessionScoreMsMedian());
        root.put("online_cpu_ms_median", serving.onlineCpuMsMedian());
        root.put("score_cpu_ms_median", serving.scoreCpuMsMedian());
        out.printf(Locale.ROOT, "SASRec online update (%d steps on the user's window + %d replayed, %d negatives, "
            + "length %d, %d items): median %.2f ms (CPU %.2f ms), fastest %.2f ms over %d events%n",
            trainer.config().onlineSteps(), trainer.config().onlineReplay(), trainer.config().forOnlineSteps().negatives(),
            length, items, serving.onlineMsMedian(), serving.onlineCpuMsMedian(),
            serving.onlineMsMin(), serving.events());
        out.printf(Locale.ROOT, "SASRec scores of one user over %d items: median %.3f ms (CPU %.3f ms, cached state); "
            + "an anonymous %d-item sequence: median %.3f ms%n", items, serving.scoreMsMedian(),
            serving.scoreCpuMsMedian(), length, serving.sessionScoreMsMedian());
      }
      if (data != null) {
        Dataset dataset = DataOptions.of(data, format, true, "keep-last", "fail").read();
        overrides.put("epochs", 1);
        Timings timings = new Timings();
        Algorithms.trainer("sasrec", overrides).fit(dataset, TrainingOptions.of(timings));
        root.put("data", data.toString());
        root.put("interactions", dataset.size());
        root.put("epoch_s", timings.meanEpochSeconds());
        out.printf(Locale.ROOT, "SASRec epoch over %s (%d interactions): %.2f s%n", data, dataset.size(),
            timings.meanEpochSeconds());
      }
      long peak = peakHeapBytes();
      root.put("peak_heap_mb", peak / (double) (1 << 20));
      out.printf(Locale.ROOT, "peak heap %.0f MB%n", peak / (double) (1 << 20));
      if (json != null) {
        Json.write(json, root);
        out.println("wrote " + json);
      }
      return 0;
    }
  }
}
