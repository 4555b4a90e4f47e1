package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.eval.Candidates;
import io.perennial.eval.Protocol;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.quantized.Quantization;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code perennial evaluate}: train on each split, score the held-out part, print and save. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Evaluate models with an offline protocol; prints a table, writes JSON and an HTML report.")
final class EvaluateCommand implements Callable<Integer> {

  @Mixin DataOptions data;
  @Mixin ProtocolOptions protocol;
  @Mixin ItemOptions itemOptions = new ItemOptions();
  @Mixin ContentOptions contentOptions = new ContentOptions();
  @Mixin DistillOptions distill = new DistillOptions();
  @Mixin PretrainedOptions pretrained = new PretrainedOptions();
  @Mixin AugmentOptions augment = new AugmentOptions();

  @picocli.CommandLine.Option(names = "--prune-sparsity", paramLabel = "S",
      description = "neumf/sasrec: after training, magnitude-prune the fraction S of each dense layer's weights and "
          + "fine-tune with them held at zero (see `perennial prune --sparsity`), then evaluate.")
  Double pruneSparsity;

  @picocli.CommandLine.Option(names = "--prune-fine-tune-passes", defaultValue = "1", paramLabel = "N",
      description = "With --prune-sparsity: fine-tune passes over the training histories. Default: ${DEFAULT-VALUE}.")
  int pruneFineTunePasses;

  @Option(names = "--baselines",
      description = "Also run the content baselines in the same run: random, genre (a content profile over genres), "
          + "tfidf (over title words, decade, genres and tags) and, with --item-vectors, text (the encoder's "
          + "embeddings). Needs --items.")
  boolean baselines;

  @Option(names = "--model", required = true, split = ",", paramLabel = "NAME",
      description = "pop, itemknn, mf, bpr, ials, neumf, sasrec, random, content, hybrid, fusion (comma-separated for "
          + "several; content and hybrid need --items; fusion fuses --members).")
  List<String> models;

  @Option(names = "--members", split = ",", paramLabel = "NAME",
      description = "With --model fusion: the models fused, e.g. ials,itemknn,bpr (the default); --config entries keyed "
          + "by a member's name configure it.")
  List<String> members;

  @Option(names = "--config", paramLabel = "FILE",
      description = "JSON config overrides: {field: value} for one model, or {model: {field: value}} for several.")
  Path config;

  @Option(names = "--train-sample", split = ",", paramLabel = "F",
      description = "Train on a seeded fraction F in (0, 1] of each split's training interactions (test unchanged; "
          + "seeded by --split-seed; a smaller sample is a subset of a larger one), for learning curves. A list "
          + "(0.05,0.1,0.25,0.5,1) evaluates every model at each fraction and draws the learning curve in the "
          + "--report; with --pretrained each point is run with and without the warm start. Default: all of them.")
  List<Double> trainSamples;

  @Option(names = "--k", defaultValue = "10", paramLabel = "K", description = "Ranking cut-off. Default: ${DEFAULT-VALUE}.")
  int k;

  @Option(names = "--early-stopping", paramLabel = "METRIC",
      description = "Stop training when this metric (e.g. ndcg@10 at --k) stops improving on each split's "
          + "validation part (loo: each user's second-to-last item), ranked against the same --candidates.")
  String earlyStopping;

  @Option(names = "--patience", defaultValue = "3", paramLabel = "EPOCHS",
      description = "Epochs without improvement before --early-stopping stops. Default: ${DEFAULT-VALUE}.")
  int patience;

  @Option(names = "--quantize", split = ",", defaultValue = "none", paramLabel = "none|int8|fp16",
      description = "Score with the factor tables as int8 codes with a scale per row, or as fp16 halves (mf, bpr, "
          + "ials); 'none,int8,fp16' evaluates them side by side (rows labelled MODEL/int8, MODEL/fp16). "
          + "Default: ${DEFAULT-VALUE}.")
  List<String> quantize;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON here.")
  Path json;

  @Option(names = "--report", paramLabel = "FILE", description = "Write an HTML report with charts here.")
  Path report;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    if (k < 1) {
      throw new UserException("--k must be at least 1, got " + k);
    }
    for (String m : models) {
      if (!Algorithms.NAMES.contains(m)) {
        throw new UserException("--model: unknown model '" + m + "' (expected one of " + Algorithms.NAMES + ")");
      }
    }
    if (pruneSparsity != null && !(pruneSparsity >= 0 && pruneSparsity < 1)) {
      throw new UserException("--prune-sparsity: must be in [0, 1), got " + pruneSparsity);
    }
    if (pruneSparsity != null && pruneFineTunePasses < 0) {
      throw new UserException("--prune-fine-tune-passes: must be 0 or more, got " + pruneFineTunePasses);
    }
    List<Quantization> quantizations = new ArrayList<>();
    for (String q : quantize) {
      for (String m : models) {
        Quantization parsed = Quantizing.parse(q, m);
        if (!quantizations.contains(parsed)) {
          quantizations.add(parsed);
        }
      }
    }
    FusionMembers.check(members, models);
    Dataset dataset;
    List<Split> splits;
    if (protocol.parsed() == Protocol.FOLDS) {
      ProtocolOptions.FoldData folds = protocol.readFolds(data.data, data);
      dataset = folds.dataset();
      splits = folds.splits();
    } else {
      dataset = data.read();
      if (dataset.size() == 0) {
        throw new UserException(data.data + ": no interactions to evaluate (" + dataset.report().summary() + ")");
      }
      out.println("read " + data.data + ": " + dataset.report().summary());
      protocol.fileOrderNotice(dataset).ifPresent(out::println);
      splits = protocol.splits(dataset);
    }
    List<Double> fractions = new ArrayList<>();
    if (trainSamples == null) {
      fractions.add(null);
    } else {
      for (Double f : trainSamples) {
        if (f == null || !(f > 0 && f <= 1)) {
          throw new UserException("--train-sample must be in (0, 1], got " + f);
        }
        if (fractions.contains(f)) {
          throw new UserException("--train-sample: " + f + " is listed twice");
        }
        fractions.add(f);
      }
    }
    boolean curve = fractions.size() > 1;
    Candidates candidates = protocol.candidateSet();
    if (earlyStopping != null) {
      if (patience < 1) {
        throw new UserException("--patience must be at least 1, got " + patience);
      }
      try {
        new io.perennial.eval.HoldoutValidator(new io.perennial.data.InteractionLog(1), earlyStopping, k);
      } catch (IllegalArgumentException e) {
        throw new UserException("--early-stopping: " + e.getMessage());
      }
      if (splits.stream().anyMatch(s -> !s.hasValidation())) {
        throw new UserException("--early-stopping needs a validation part; --protocol "
            + protocol.parsed().cliName() + " has none (loo holds out each user's second-to-last item)");
      }
    }
    boolean cold = protocol.parsed() == Protocol.COLD_ITEMS || protocol.parsed() == Protocol.COLD_USERS;
    if (cold && !candidates.isAll()) {
      throw new UserException("--candidates " + candidates.cliName() + " cannot be combined with --protocol "
          + protocol.parsed().cliName() + " (cold-items ranks over the cold items; use --candidates all)");
    }
    if (cold) {
      Split s = splits.get(0);
      out.printf(Locale.ROOT, "%s: %d training and %d test interactions%s%n", protocol.parsed().cliName(),
          s.train().size(), s.test().size(),
          s.restrictsCandidates() ? ", candidates the " + s.candidateItems().length + " cold items" : "");
      if (s.test().size() == 0) {
        throw new UserException(data.data + ": --protocol " + protocol.parsed().cliName() + " left nothing to test");
      }
    }
    if (!candidates.isAll()) {
      out.printf(Locale.ROOT, "candidates: each held-out item against %d items the user never interacted with "
          + "(drawn without replacement, seed %d)%n", candidates.sampled(), protocol.splitSeed);
    }
    if (protocol.parsed() == Protocol.LOO) {
      Split loo = splits.get(0);
      out.printf(Locale.ROOT, "loo: %d users tested (last item), %d validation items (second-to-last), "
          + "%d training interactions; users with fewer than %d interactions only train%n",
          loo.test().size(), loo.validation().size(), loo.train().size(), Splitters.LOO_MIN_EVENTS);
      if (loo.test().size() == 0) {
        throw new UserException(data.data + ": no user has " + Splitters.LOO_MIN_EVENTS
            + " or more interactions, so leave-one-out has nothing to test");
      }
    }
    ObjectNode protocolJson = Json.object();
    protocolJson.put("name", protocol.parsed().cliName());
    if (protocol.parsed() == Protocol.KFOLD || protocol.parsed() == Protocol.FOLDS) {
      protocolJson.put("folds", splits.size());
    }
    if (protocol.parsed() == Protocol.RANDOM || protocol.parsed() == Protocol.TEMPORAL
        || protocol.parsed() == Protocol.USER_TEMPORAL) {
      protocolJson.put("train_fraction", protocol.trainFraction);
    }
    if (cold) {
      protocolJson.put("cold_fraction", protocol.coldFraction);
      if (protocol.parsed() == Protocol.COLD_USERS) {
        protocolJson.put("cold_user_events", protocol.coldUserEvents);
      }
    }
    if (protocol.parsed() == Protocol.RANDOM || protocol.parsed() == Protocol.KFOLD || !candidates.isAll() || cold) {
      protocolJson.put("seed", protocol.splitSeed);
    }
    protocolJson.put("candidates", candidates.cliName());
    if (earlyStopping != null) {
      protocolJson.put("early_stopping", earlyStopping);
      protocolJson.put("patience", patience);
    }
    ObjectNode dataJson = Evaluations.dataJson(data.data.toString(), data.format, data.implicit, dataset);
    io.perennial.data.ItemCatalog catalog = itemOptions.load(data.errorPolicy(), out::println);
    if (catalog != null) {
      dataJson.set("item_metadata", itemOptions.json(catalog, dataset));
    }
    io.perennial.model.content.ItemContent content = contentOptions.content(catalog);
    for (String m : models) {
      if (m.equals("fusion") && content == null
          && FusionMembers.needsContent(FusionMembers.overrides(null, members, null, n -> Json.object()))) {
        throw new UserException("--model fusion: a member needs item metadata: give --items (and --tags)");
      }
      if (Algorithms.needsContent(m) && content == null) {
        throw new UserException("--model " + m + " needs item metadata: give --items (and --tags)");
      }
    }
    if (baselines && content == null) {
      throw new UserException("--baselines needs --items (and --tags): the genre and text baselines read them");
    }
    // Every model's overrides are checked before the first model trains.
    List<JsonNode> overrides = new ArrayList<>();
    List<JsonNode> scratchOverrides = new ArrayList<>(); // without the pretrained model's factor count
    List<String> labels = new ArrayList<>();
    List<String> algorithms = new ArrayList<>();
    if (augment.active() && !models.contains("sasrec")) {
      augment.apply(models.get(0), null); // the error naming the option and the model
    }
    for (String m : models) {
      JsonNode plain = ConfigFiles.overrides(config, m, models.size());
      if (m.equals("sasrec")) {
        plain = augment.apply(m, plain);
      }
      JsonNode own = pretrained.overrides(plain, m);
      scratchOverrides.add(m.equals("fusion") ? FusionMembers.overrides(plain, members, config, n -> Json.object()) : plain);
      overrides.add(m.equals("fusion") ? FusionMembers.overrides(own, members, config, n -> Json.object()) : own);
      labels.add(m);
      algorithms.add(m);
    }
    if (baselines) {
      String[][] extra = {{"random", "random", null}, {"genre", "content", "genres"}, {"tfidf", "content", "tfidf"},
          {"text", "content", "text"}};
      for (String[] b : extra) {
        if (b[0].equals("text") && content.text() == null) {
          continue;
        }
        ObjectNode o = Json.object();
        if (b[2] != null) {
          // the baselines are plain profiles (the mean of the user's items), as measured by hand in issue 14
          o.put("features", b[2]).put("recencyDecay", 1f);
        }
        labels.add(b[0]);
        algorithms.add(b[1]);
        overrides.add(o);
        scratchOverrides.add(o);
      }
    }
    Dataset allData = dataset;
    List<Split> allSplits = splits;
    List<JsonNode> results = new ArrayList<>();
    for (Double fraction : fractions) {
      List<Split> sampleSplits = allSplits;
      ObjectNode sampleProtocol = protocolJson;
      if (fraction != null) {
        sampleSplits = new ArrayList<>();
        for (Split split : allSplits) {
          sampleSplits.add(Splitters.sampleTrain(split, fraction, protocol.splitSeed));
        }
        out.println("train sample: " + fraction + " of the training interactions ("
            + sampleSplits.get(0).train().size() + " in " + sampleSplits.get(0).name() + ")");
        sampleProtocol = protocolJson.deepCopy();
        sampleProtocol.put("train_sample", fraction);
        sampleProtocol.put("train_sample_seed", protocol.splitSeed);
      }
      // a curve with --pretrained runs each point with and without the warm start
      boolean[] warmStarts = curve && pretrained.active() ? new boolean[] {true, false}
          : new boolean[] {pretrained.active()};
      for (boolean warmStart : warmStarts) {
        for (int run = 0; run < labels.size() * quantizations.size(); run++) {
          int n = run / quantizations.size();
          Quantization quantization = quantizations.get(run % quantizations.size());
          String m = algorithms.get(n);
          if (quantization != Quantization.NONE && n >= models.size()) {
            continue; // the baselines have no factor tables
          }
          String label = quantization == Quantization.NONE ? labels.get(n) : labels.get(n) + "/" + quantization.label();
          if (distill.active() && n < models.size()) {
            label = label + "<" + distill.teacher;
          }
          if (warmStart && n < models.size()) {
            label = label + "/pretrained";
          }
          if (curve) {
            label = label + "@" + fraction;
          }
          List<Split> runSplits = sampleSplits;
          ObjectNode runProtocol = sampleProtocol;
          List<Integer> keptEpochs = new ArrayList<>();
          boolean transfer = warmStart && n < models.size();
          Evaluations.Outcome outcome = Evaluations.run(label, m,
              transfer ? overrides.get(n) : scratchOverrides.get(n), content,
              dataset, runSplits, runProtocol, dataJson, k,
              io.perennial.model.TrainingOptions.of(recordingEarlyStops(Terminal.progress(out), out, keptEpochs)),
              candidates, earlyStopping, patience, quantization,
              n < models.size() ? t -> pruned(distill.wrap(transfer ? pretrained.wrap(t, allData, catalog, content, out) : t))
                  : t -> t);
          if (transfer && pretrained.countsJson() != null) {
            outcome.json().set("transfer", pretrained.countsJson());
          }
          if (earlyStopping != null) {
            // Only loo has a validation part, and it is one split: the epoch kept, or null when
            // training ran its full course.
            if (keptEpochs.isEmpty()) {
              outcome.json().putNull("early_stopping_kept_epoch");
            } else {
              outcome.json().put("early_stopping_kept_epoch", keptEpochs.get(0));
            }
          }
          results.add(outcome.json());
        }
      }
    }
    printTable(out, results);
    if (json != null) {
      Json.write(json, results.size() == 1 ? results.get(0) : wrap(results));
      out.println("wrote " + json);
    }
    if (report != null) {
      HtmlReport.write(report, "Perennial evaluation", results);
      out.println("wrote " + report);
    }
    return 0;
  }

  /**
   * {@code progress}, also noting the epochs early stopping kept in {@code kept} (one per training
   * that stopped early) and saying so on {@code out} when no terminal shows the progress line.
   */
  private static io.perennial.model.TrainingListener recordingEarlyStops(
      io.perennial.model.TrainingListener progress, PrintStream out, List<Integer> kept) {
    return new io.perennial.model.TrainingListener() {
      @Override
      public void onEpoch(String model, io.perennial.model.EpochReport report) {
        progress.onEpoch(model, report);
      }

      @Override
      public void onEarlyStop(String model, int bestEpoch, double bestValidation) {
        kept.add(bestEpoch);
        if (Terminal.interactive()) {
          progress.onEarlyStop(model, bestEpoch, bestValidation);
        } else {
          out.printf(Locale.ROOT, "%s stopped early; kept epoch %d (validation %.4f)%n", model, bestEpoch, bestValidation);
        }
      }
    };
  }

  private static ObjectNode wrap(List<JsonNode> results) {
    ObjectNode root = Json.object();
    var array = root.putArray("results");
    results.forEach(array::add);
    // The first model's metrics at the top level keep single-model consumers working.
    root.set("metrics", results.get(0).path("metrics"));
    return root;
  }

  static void printTable(PrintStream out, List<JsonNode> results) {
    List<String> names = Evaluations.metricColumns(results);
    int width = 8;
    for (JsonNode r : results) {
      width = Math.max(width, r.path("model").asText().length());
      for (JsonNode member : r.path("members")) {
        width = Math.max(width, member.path("model").asText().length() + 2);
      }
    }
    String labelColumn = "%-" + width + "s";
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, labelColumn, "model"));
    for (String n : names) {
      header.append(String.format(Locale.ROOT, " %12s", n));
    }
    header.append(String.format(Locale.ROOT, " %9s", "train s"));
    out.println(header);
    for (JsonNode r : results) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, labelColumn, r.path("model").asText()));
      for (String n : names) {
        JsonNode v = r.path("metrics").path(n);
        row.append(v.isNumber() ? String.format(Locale.ROOT, " %12.4f", v.asDouble()) : String.format(" %12s", "-"));
      }
      row.append(String.format(Locale.ROOT, " %9.2f", r.path("timings").path("train_s").asDouble()));
      out.println(row);
      // a fusion's members, scored inside the fused model on the same split (their training is in the fusion's)
      for (JsonNode member : r.path("members")) {
        StringBuilder memberRow = new StringBuilder(String.format(Locale.ROOT, labelColumn,
            "  " + member.path("model").asText()));
        for (String n : names) {
          JsonNode v = member.path("metrics").path(n);
          memberRow.append(v.isNumber() ? String.format(Locale.ROOT, " %12.4f", v.asDouble())
              : String.format(" %12s", "-"));
        }
        memberRow.append(String.format(Locale.ROOT, "  weight %.3f", member.path("weight").asDouble()));
        out.println(memberRow);
      }
    }
  }

  /** The trainer, followed by magnitude pruning and its fine-tune when {@code --prune-sparsity} is set. */
  private io.perennial.model.Trainer pruned(io.perennial.model.Trainer base) {
    if (pruneSparsity == null) {
      return base;
    }
    double sparsity = pruneSparsity;
    int passes = pruneFineTunePasses;
    return new io.perennial.model.Trainer() {
      @Override
      public String type() {
        return base.type();
      }

      @Override
      public com.fasterxml.jackson.databind.JsonNode configJson() {
        return base.configJson();
      }

      @Override
      public io.perennial.model.Recommender fit(Dataset train, io.perennial.model.TrainingOptions options) {
        io.perennial.model.Recommender model = base.fit(train, options);
        try {
          io.perennial.store.Pruning.magnitudeInPlace(model, sparsity, passes, pass -> { });
        } catch (IllegalArgumentException e) {
          throw new UserException("--prune-sparsity: " + e.getMessage());
        }
        return model;
      }

      @Override
      public long estimatedBytes(int users, int items, long interactions) {
        return base.estimatedBytes(users, items, interactions);
      }
    };
  }
}
