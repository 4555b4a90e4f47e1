package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.continual.LogEventStream;
import io.perennial.continual.PrequentialEvaluator;
import io.perennial.continual.PrequentialResult;
import io.perennial.continual.Scenarios;
import io.perennial.continual.Strategies;
import io.perennial.continual.StrategyConfig;
import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code perennial simulate}: run update strategies over the same event stream with prequential
 * (test-then-learn) evaluation, and report what each buys in accuracy and costs in CPU.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Replay a stream through update strategies (test-then-learn); write report.html and report.json.")
final class SimulateCommand implements Callable<Integer> {

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @ArgGroup(exclusive = false)
    FileSource file;

    @Option(names = "--synthetic", required = true, description = "Stream from the synthetic generator (see the drift options).")
    boolean synthetic;
  }

  static final class FileSource {
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Interactions file (or MovieLens folder).")
    Path data;

    @Option(names = "--format", defaultValue = "movielens", paramLabel = "FORMAT", description = "Data format. Default: ${DEFAULT-VALUE}.")
    String format;
  }

  @picocli.CommandLine.Mixin LayoutOptions layout = new LayoutOptions();
  @picocli.CommandLine.Mixin ItemOptions itemOptions = new ItemOptions();
  @picocli.CommandLine.Mixin PretrainedOptions pretrained = new PretrainedOptions();
  @picocli.CommandLine.Mixin AugmentOptions augment = new AugmentOptions();

  @Option(names = "--model", defaultValue = "ials", paramLabel = "NAME", completionCandidates = ServeCommand.ModelNames.class,
      description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--strategies", defaultValue = "static,full,incremental,online,hybrid,gated", split = ",",
      paramLabel = "LIST", description = "Strategies to compare: static, full, incremental, online, hybrid, gated, gated-<strategy>. Default: ${DEFAULT-VALUE}.")
  List<String> strategies;

  @Option(names = "--members", split = ",", paramLabel = "NAME",
      description = "With --model fusion: the models fused, e.g. ials,itemknn,bpr (the default); each with its own "
          + "streaming defaults and the --config entry keyed by its name.")
  List<String> members;

  @Option(names = "--config", paramLabel = "FILE", description = "JSON overrides of the model config (over the streaming defaults).")
  Path config;

  @Option(names = "--report", defaultValue = "simulate-out", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
  Path report;

  @Option(names = "--k", defaultValue = "10", paramLabel = "K", description = "Cut-off. Default: ${DEFAULT-VALUE}.")
  int k;

  @Option(names = "--warmup", defaultValue = "0.5", paramLabel = "F", description = "Share of the stream that trains the first model. Default: ${DEFAULT-VALUE}.")
  double warmup;

  @Option(names = "--slices", defaultValue = "20", paramLabel = "N", description = "Slices of the per-slice series. Default: ${DEFAULT-VALUE}.")
  int slices;

  @Option(names = "--replay-ratio", defaultValue = "1.0", paramLabel = "R",
      description = "incremental: replayed past events per new event. Default: ${DEFAULT-VALUE}.")
  double replayRatio;

  @Option(names = "--difficulty-replay",
      description = "incremental: replay past events in proportion to the live model's loss on them (a curriculum's "
          + "'replay the hard ones more') instead of uniformly. online, hybrid and gated: the model's per-event replay "
          + "of the user's earlier positives is weighted by their loss the same way (sets onlineReplayByLoss; bpr only, "
          + "other models are told it has no effect there).")
  boolean difficultyReplay;

  @Option(names = "--anchor", defaultValue = "0", paramLabel = "S",
      description = "incremental: L2 pull of updated rows toward their pre-update values (0 = off).")
  float anchor;

  @Option(names = "--fisher", description = "incremental: weight the anchor per parameter by a diagonal Fisher estimate (EWC).")
  boolean fisher;

  @Option(names = "--distillation", defaultValue = "0", paramLabel = "W",
      description = "incremental: weight of distillation from an earlier model (0 = off).")
  float distillation;

  @Option(names = "--teacher-updates", paramLabel = "N",
      description = "incremental: fine-tunes one distillation teacher serves before the live model replaces it "
          + "(1 = the model just before each update). Default: " + io.perennial.model.Stability.DEFAULT_TEACHER_UPDATES + ".")
  int teacherUpdates = io.perennial.model.Stability.DEFAULT_TEACHER_UPDATES;

  @Option(names = "--admit-after", defaultValue = "1", paramLabel = "N",
      description = "online/hybrid: learn an id only after N occurrences (1 = at once). Default: ${DEFAULT-VALUE}.")
  int admitAfter;

  @Option(names = "--evict-after", defaultValue = "0", paramLabel = "SECONDS",
      description = "online/hybrid: evict ids unseen for this much stream time (0 = never). Default: ${DEFAULT-VALUE}.")
  long evictAfter;

  @Option(names = "--parallel", description = "Run the strategies in parallel (one thread each) instead of one after another.")
  boolean parallel;

  @Option(names = "--events", defaultValue = "200000", paramLabel = "N", description = "Synthetic: events. Default: ${DEFAULT-VALUE}.")
  long events;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED", description = "Synthetic: seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--drift", defaultValue = "0.01", paramLabel = "STEP", description = "Synthetic: taste random-walk step. Default: ${DEFAULT-VALUE}.")
  double drift;

  @Option(names = "--shift-at", defaultValue = "-1", paramLabel = "F", description = "Synthetic: fraction at which tastes jump (negative = none). Default: ${DEFAULT-VALUE}.")
  double shiftAt;

  @Option(names = "--item-lifetime", defaultValue = "0", paramLabel = "EVENTS", description = "Synthetic: mean popularity lifetime of items (0 = forever).")
  long itemLifetime;

  @Option(names = "--new-item-rate", defaultValue = "0.001", paramLabel = "P", description = "Synthetic: chance an event introduces a new item. Default: ${DEFAULT-VALUE}.")
  double newItemRate;

  @Option(names = "--poison-at", defaultValue = "-1", paramLabel = "F",
      description = "Insert a poisoned slice at this fraction of the stream: fake users hammer one item (negative = none).")
  double poisonAt;

  @Option(names = "--burst-at", defaultValue = "-1", paramLabel = "F",
      description = "Insert a burst of new items at this fraction of the stream (negative = none).")
  double burstAt;

  @Option(names = "--burst-items", defaultValue = "50", paramLabel = "N", description = "New items in the burst. Default: ${DEFAULT-VALUE}.")
  int burstItems;

  @Option(names = "--burst-events", defaultValue = "3000", paramLabel = "N", description = "Events of the burst. Default: ${DEFAULT-VALUE}.")
  int burstEvents;

  @Option(names = "--poison-events", defaultValue = "2000", paramLabel = "N", description = "Events in the poisoned slice. Default: ${DEFAULT-VALUE}.")
  int poisonEvents;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (!Algorithms.NAMES.contains(model)) {
      throw new UserException("--model: unknown model '" + model + "' (expected one of " + Algorithms.NAMES + ")");
    }
    if (Algorithms.needsContent(model)) {
      throw new UserException("--model " + model + ": simulate does not hand item content to models yet; "
          + "evaluate it with --protocol cold-items --items FILE instead");
    }
    for (String s : strategies) {
      try {
        Strategies.create(s);
      } catch (IllegalArgumentException e) {
        throw new UserException("--strategies: " + e.getMessage());
      }
    }
    Dataset raw;
    String sourceName;
    if (source.synthetic && layout.anyGiven()) {
      throw new UserException("--delimiter, --header and the column flags apply to --data, not --synthetic");
    }
    if (source.synthetic) {
      SyntheticConfig sc;
      try {
        sc = SyntheticConfig.defaults().withSeed(seed).withEvents(events).withDrift(drift, itemLifetime)
            .withShiftAt(shiftAt).withNewItemRate(newItemRate);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
      raw = SyntheticGenerator.generate(sc);
      sourceName = String.format(Locale.ROOT, "synthetic(seed=%d, events=%d, drift=%s, shift-at=%s, item-lifetime=%d)",
          seed, events, drift, shiftAt, itemLifetime);
    } else {
      raw = DataOptions.of(source.file.data, source.file.format, !Algorithms.isExplicit(model), "keep-all", "fail")
          .withLayout(layout).read();
      sourceName = source.file.data.toString();
      out.println("read " + sourceName + ": " + raw.report().summary());
      if (raw.report().inFileOrder()) {
        out.println("note: no timestamps in the data, so the stream is replayed in file order");
      }
    }
    if (burstAt >= 0) {
      try {
        raw = Scenarios.newItemBurst(raw, burstAt, burstItems, burstEvents, seed);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
      sourceName += String.format(Locale.ROOT, " + burst of %d new items (%d events) at %.0f%%", burstItems, burstEvents, burstAt * 100);
    }
    if (poisonAt >= 0) {
      raw = Scenarios.poison(raw, poisonAt, poisonEvents, seed);
      sourceName += String.format(Locale.ROOT, " + poisoned slice of %d events at %.0f%%", poisonEvents, poisonAt * 100);
    }
    Dataset stream = LogEventStream.inStreamOrder(raw);
    catalog = itemOptions.load(io.perennial.data.ErrorPolicy.FAIL, out::println);
    if (stream.size() < 100) {
      throw new UserException("the stream has only " + stream.size() + " events; a simulation needs at least 100");
    }
    ObjectNode modelConfig = Algorithms.streamingDefaults(model);
    FusionMembers.check(members, List.of(model));
    JsonNode user = augment.apply(model, ConfigFiles.overrides(config, model, 1));
    if (model.equals("fusion")) {
      user = FusionMembers.overrides(user, members, config, Algorithms::streamingDefaults);
      if (FusionMembers.needsContent(user)) {
        throw new UserException("--model fusion: a member needs item content, which this command does not hand to models yet");
      }
    }
    if (user != null) {
      user.fields().forEachRemaining(f -> modelConfig.set(f.getKey(), f.getValue()));
    }
    String onlineNote = applyOnlineDifficultyReplay(modelConfig, model, strategies, difficultyReplay);
    if (onlineNote != null) {
      out.println("note: " + onlineNote);
    }
    if (pretrained.active()) {
      JsonNode withFactors = pretrained.overrides(modelConfig, model);
      withFactors.fields().forEachRemaining(f -> modelConfig.set(f.getKey(), f.getValue()));
    }
    io.perennial.model.Trainer configured = Algorithms.trainer(model, modelConfig);
    // one warm-started trainer for every model the strategies train: the match is made once
    io.perennial.model.Trainer warm = pretrained.wrap(configured, stream, catalog,
        catalog == null ? null : io.perennial.model.content.ItemContent.of(catalog), out);
    java.util.function.UnaryOperator<io.perennial.model.Trainer> trainerWrap =
        pretrained.active() ? t -> warm : java.util.function.UnaryOperator.identity();
    int warmupEvents = (int) Math.round(warmup * stream.size());
    StrategyConfig strategyConfig;
    try {
      strategyConfig = StrategyConfig.forStream(stream.size() - warmupEvents)
          .withProtection(replayRatio, new io.perennial.model.Stability(anchor, fisher, distillation, teacherUpdates))
          .withDifficultyReplay(difficultyReplay)
          .withLifecycle(admitAfter, evictAfter);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
    PrequentialEvaluator.Settings settings;
    try {
      settings = new PrequentialEvaluator.Settings(k, warmup, slices, 2_000, seed);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
    out.printf(Locale.ROOT, "stream: %s — %,d events, %,d users, %,d items; warm-up %,d events; model %s %s%n",
        sourceName, stream.size(), stream.userCount(), stream.itemCount(), warmupEvents, model, modelConfig);
    Map<String, PrequentialResult> results = new LinkedHashMap<>();
    boolean tty = Terminal.interactive();
    if (parallel) {
      ExecutorService pool = Executors.newFixedThreadPool(strategies.size());
      try {
        List<Future<PrequentialResult>> futures = new ArrayList<>();
        for (String s : strategies) {
          futures.add(pool.submit(() -> PrequentialEvaluator.run(stream, Strategies.create(s), model, modelConfig,
              strategyConfig, settings, p -> {}, trainerWrap)));
        }
        for (int i = 0; i < strategies.size(); i++) {
          results.put(strategies.get(i), futures.get(i).get());
        }
      } finally {
        pool.shutdown();
      }
    } else {
      for (String s : strategies) {
        long t0 = System.nanoTime();
        PrequentialResult r = PrequentialEvaluator.run(stream, Strategies.create(s), model, modelConfig,
            strategyConfig, settings, p -> {
              if (tty) {
                out.printf(Locale.ROOT, "\r%-12s %5.1f%%", s, p * 100);
                out.flush();
              }
            }, trainerWrap);
        if (tty) {
          out.print("\r" + " ".repeat(30) + "\r");
        }
        results.put(s, r);
        out.printf(Locale.ROOT, "%-12s HR@%d %.4f  NDCG@%d %.4f  first training CPU %6.2fs  update CPU %7.2fs  accepted %6d  rejected %4d  forgetting %+.3f  (%.0fs)%n",
            s, k, r.hitRate(), k, r.ndcg(), r.initialCpuSeconds(), r.updateCpuSeconds(), r.accepted(), r.rejected(), r.forgettingDrop(),
            (System.nanoTime() - t0) / 1e9);
      }
    }
    if (parallel) {
      results.forEach((s, r) -> out.printf(Locale.ROOT, "%-12s HR@%d %.4f  NDCG@%d %.4f  first training CPU %6.2fs  update CPU %7.2fs  accepted %6d  rejected %4d%n",
          s, k, r.hitRate(), k, r.ndcg(), r.initialCpuSeconds(), r.updateCpuSeconds(), r.accepted(), r.rejected()));
    }
    ObjectNode json = toJson(sourceName, stream, modelConfig, strategyConfig, settings, results);
    Json.write(report.resolve("report.json"), json);
    SimulationReport.write(report.resolve("report.html"), json);
    out.println("wrote " + report.resolve("report.html") + " and " + report.resolve("report.json"));
    return 0;
  }

  /** The model-config key of a loss-weighted online replay ({@link io.perennial.model.bpr.BprConfig#onlineReplayByLoss}). */
  static final String ONLINE_REPLAY_BY_LOSS = "onlineReplayByLoss";

  /**
   * {@code --difficulty-replay} for the strategies that learn event by event (online, hybrid, gated):
   * turns on the model's loss-weighted online replay when it has one and the {@code --config} file
   * left it unset. Returns what the user should know when it cannot reach those strategies (the model
   * has no such replay), or {@code null}; throws when the flag would change nothing at all.
   */
  static String applyOnlineDifficultyReplay(ObjectNode modelConfig, String model, List<String> strategies,
      boolean difficultyReplay) {
    if (!difficultyReplay) {
      return null;
    }
    List<String> online = new ArrayList<>();
    boolean incremental = false;
    for (String s : strategies) {
      String base = baseStrategy(s);
      if (base.equals("online") || base.equals("hybrid")) {
        online.add(s.trim());
      } else if (base.equals("incremental")) {
        incremental = true;
      }
    }
    if (online.isEmpty()) {
      return null;
    }
    if (Algorithms.defaults(model).has(ONLINE_REPLAY_BY_LOSS)) {
      if (!modelConfig.has(ONLINE_REPLAY_BY_LOSS)) {
        modelConfig.put(ONLINE_REPLAY_BY_LOSS, true);
      }
      return null;
    }
    String message = "--difficulty-replay has no effect on " + String.join(", ", online) + " with --model " + model
        + ": its online updates have no loss-weighted replay (bpr has)";
    if (!incremental) {
      throw new UserException(message + "; drop the flag or add the incremental strategy");
    }
    return message + "; incremental still replays by difficulty";
  }

  /** The strategy a name runs event by event: {@code gated} wraps online, {@code gated-X} wraps X. */
  private static String baseStrategy(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    while (n.startsWith("gated-")) {
      n = n.substring("gated-".length());
    }
    return n.equals("gated") ? "online" : n;
  }

  /** The {@code --items} catalogue, or {@code null}. */
  private io.perennial.data.ItemCatalog catalog;

  private ObjectNode toJson(String sourceName, Dataset stream, JsonNode modelConfig, StrategyConfig strategyConfig,
      PrequentialEvaluator.Settings settings, Map<String, PrequentialResult> results) {
    ObjectNode root = Json.object();
    root.put("model", model);
    ObjectNode data = root.putObject("data");
    data.put("source", sourceName);
    data.put("events", stream.size());
    data.put("users", stream.userCount());
    data.put("items", stream.itemCount());
    if (catalog != null) {
      data.set("item_metadata", itemOptions.json(catalog, stream));
    }
    root.set("settings", Json.MAPPER.valueToTree(settings));
    root.set("model_config", Algorithms.trainer(model, modelConfig).configJson());
    if (pretrained.countsJson() != null) {
      root.set("transfer", pretrained.countsJson());
    }
    root.set("strategy_config", Json.MAPPER.valueToTree(strategyConfig));
    ObjectNode all = root.putObject("strategies");
    String kk = "@" + settings.k();
    for (Map.Entry<String, PrequentialResult> entry : results.entrySet()) {
      PrequentialResult r = entry.getValue();
      ObjectNode node = all.putObject(entry.getKey());
      node.put("hr" + kk, r.hitRate());
      node.put("ndcg" + kk, r.ndcg());
      node.put("recall" + kk, r.recall());
      node.put("tested", r.tested());
      node.put("update_cpu_s", r.updateCpuSeconds());
      node.put("update_wall_s", r.updateWallSeconds());
      node.put("initial_training_cpu_s", r.initialCpuSeconds());
      node.put("updates_accepted", r.accepted());
      node.put("updates_rejected", r.rejected());
      Json.putNumber(node, "forgetting_drop", r.forgettingDrop());
      Json.putNumber(node, "probe_auc_before", r.probeBefore());
      node.put("table_users", r.users());
      node.put("table_items", r.items());
      node.put("last_offset", r.lastOffset());
      ObjectNode sl = node.putObject("slices");
      sl.set("hr" + kk, array(r.sliceHitRate()));
      sl.set("ndcg" + kk, array(r.sliceNdcg()));
      sl.set("update_cpu_s", array(r.sliceCpuSeconds()));
      sl.set("probe_auc", array(r.probeSeries()));
      ArrayNode ends = sl.putArray("end_timestamp");
      for (long t : r.sliceEndTimestamp()) {
        ends.add(t);
      }
      ArrayNode rejections = node.putArray("rejections");
      r.rejections().forEach(rejections::add);
    }
    return root;
  }

  /** The values as a JSON array; a slice without a value (NaN: nothing was tested in it) is written as null. */
  private static ArrayNode array(double[] values) {
    ArrayNode a = Json.MAPPER.createArrayNode();
    for (double v : values) {
      a.add(v);
    }
    return a;
  }

}
