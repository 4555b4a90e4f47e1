package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.continual.UpdateStats;
import io.perennial.data.Dataset;
import io.perennial.eval.Candidates;
import io.perennial.eval.Protocol;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.EpochReport;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingListener;
import io.perennial.model.TrainingOptions;
import io.perennial.model.Validator;
import io.perennial.model.quantized.Quantization;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code perennial recipes}: each training recipe and its ablation, trained with the same seeds,
 * config and budget, evaluated on one protocol, with a verdict from the spread over the seeds.
 */
@Command(name = "recipes", mixinStandardHelpOptions = true,
    description = "Measure training recipes (curriculum, progressive, augment, fusion) against their ablations over "
        + "several seeds; prints a table with a verdict per recipe, writes JSON and an HTML report.")
final class RecipesCommand implements Callable<Integer> {

  @Mixin DataOptions data;
  @Mixin ProtocolOptions protocol;

  @Option(names = "--model", required = true, paramLabel = "NAME",
      description = "The model the recipes train: bpr, mf, neumf, ials or sasrec (any algorithm; recipes that do "
          + "not apply to it are listed as skipped).")
  String model;

  @Option(names = "--recipes", split = ",", defaultValue = "curriculum,progressive,augment,fusion", paramLabel = "NAME",
      description = "Recipes to run: curriculum, progressive, augment, fusion. Default: ${DEFAULT-VALUE}.")
  List<String> recipes;

  @Option(names = "--seeds", defaultValue = "3", paramLabel = "N",
      description = "Seeds per variant and ablation (seeds 1..N set every model's `seed`); at least 2 for a "
          + "verdict. Default: ${DEFAULT-VALUE}.")
  int seeds;

  @Option(names = "--curriculum", paramLabel = "SCORER:PACING[:START[:FULLAT]][,...]",
      description = "Run these curricula, in this order (e.g. self-paced:root:0.3:5; anti-popularity:root for the "
          + "anti-curriculum; popularity:root,self-paced:root for two) instead of every scorer with root pacing.")
  String curriculum;

  @Option(names = "--members", split = ",", paramLabel = "NAME",
      description = "The fusion recipe's members. Default: ials, itemknn and --model (bpr when --model is one of them).")
  List<String> members;

  @Option(names = "--config", paramLabel = "FILE",
      description = "JSON config overrides of the model ({field: value}, or {model: {field: value}}), under every "
          + "variant and ablation.")
  Path config;

  @Option(names = "--k", defaultValue = "10", paramLabel = "K", description = "Ranking cut-off. Default: ${DEFAULT-VALUE}.")
  int k;

  @Option(names = "--validation-fraction", defaultValue = "0.1", paramLabel = "F",
      description = "Protocols without a validation part (all but loo): each user's latest share F of the training "
          + "part is held out for early stopping and the epochs-to-best figure; the models train on the rest. "
          + "Default: ${DEFAULT-VALUE}.")
  double validationFraction;

  @Option(names = "--early-stop",
      description = "Stop each training after --patience epochs without a better validation NDCG@K and keep the best "
          + "epoch. Without it every run trains its full epochs (the same budget) and the validation part only "
          + "gives the epochs-to-best figure.")
  boolean earlyStop;

  @Option(names = "--patience", defaultValue = "5", paramLabel = "EPOCHS",
      description = "With --early-stop: epochs without improvement before training stops. Default: ${DEFAULT-VALUE}.")
  int patience;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the table, every run and the rule as JSON here.")
  Path json;

  @Option(names = "--report", paramLabel = "FILE", description = "Write an HTML report here.")
  Path report;

  /** One trained and evaluated model. */
  private record Run(double metric, double cpuSeconds, int bestEpoch, JsonNode json) {}

  @Override
  public Integer call() {
    PrintStream out = System.out;
    if (!Algorithms.NAMES.contains(model) || model.equals("fusion")) {
      throw new UserException("--model: expected one of " + Algorithms.NAMES.stream().filter(n -> !n.equals("fusion"))
          .toList() + ", got '" + model + "'");
    }
    if (Algorithms.needsContent(model)) {
      throw new UserException("--model " + model + ": recipes do not load item metadata; use a collaborative model");
    }
    if (seeds < 1) {
      throw new UserException("--seeds must be at least 1, got " + seeds);
    }
    if (k < 1) {
      throw new UserException("--k must be at least 1, got " + k);
    }
    if (patience < 1) {
      throw new UserException("--patience must be at least 1, got " + patience);
    }
    if (!(validationFraction > 0 && validationFraction < 1)) {
      throw new UserException("--validation-fraction must be in (0, 1), got " + validationFraction);
    }
    if (protocol.parsed() == Protocol.COLD_ITEMS || protocol.parsed() == Protocol.COLD_USERS
        || protocol.parsed() == Protocol.FOLDS) {
      throw new UserException("--protocol " + protocol.parsed().cliName()
          + ": recipes run on random, kfold, temporal, user-temporal or loo");
    }
    JsonNode base = ConfigFiles.overrides(config, model, 1);
    Recipes.Plan plan = Recipes.variants(recipes, model, curriculum, members, base);
    // every config is checked before the first model trains
    for (Recipes.Variant v : plan.variants()) {
      try {
        Algorithms.trainer(v.model(), withSeed(v.model(), variantConfig(v, base), 1));
      } catch (IllegalArgumentException e) {
        throw new UserException("recipe " + v.recipe() + " (" + v.label() + "): " + e.getMessage());
      }
    }
    try {
      Algorithms.trainer(model, base);
    } catch (IllegalArgumentException e) {
      throw new UserException((config != null ? config + ": " : "") + e.getMessage());
    }
    Dataset dataset = data.read();
    if (dataset.size() == 0) {
      throw new UserException(data.data + ": no interactions (" + dataset.report().summary() + ")");
    }
    out.println("read " + data.data + ": " + dataset.report().summary());
    protocol.fileOrderNotice(dataset).ifPresent(out::println);
    List<Split> splits = new ArrayList<>();
    for (Split s : protocol.splits(dataset)) {
      if (s.hasValidation()) {
        splits.add(s);
      } else {
        Split inner = Splitters.userTemporal(s.train(), 1 - validationFraction);
        splits.add(new Split(s.name(), inner.train(), s.test(), inner.test(), s.candidateItems()));
      }
    }
    Candidates candidates = protocol.candidateSet();
    String metric = "ndcg@" + k;
    ObjectNode protocolJson = Json.object();
    protocolJson.put("name", protocol.parsed().cliName());
    if (protocol.parsed() != Protocol.LOO && protocol.parsed() != Protocol.KFOLD) {
      protocolJson.put("train_fraction", protocol.trainFraction);
    }
    if (protocol.parsed() != Protocol.LOO) {
      protocolJson.put("validation_fraction", validationFraction);
    }
    protocolJson.put("candidates", candidates.cliName());
    protocolJson.put("validation_metric", metric);
    if (earlyStop) {
      protocolJson.put("early_stopping", metric);
      protocolJson.put("patience", patience);
    }
    ObjectNode dataJson = Evaluations.dataJson(data.data.toString(), data.format, data.implicit, dataset);
    for (Recipes.Skipped s : plan.skipped()) {
      out.println("skipped recipe " + s.recipe() + " for " + model + ": " + s.reason());
    }
    // runs are cached by (algorithm, config): the plain model is every recipe's ablation and runs once per seed
    Map<String, Run> cache = new LinkedHashMap<>();
    List<JsonNode> runJsons = new ArrayList<>();
    ArrayNode rows = Json.MAPPER.createArrayNode();
    List<String[]> table = new ArrayList<>();
    for (Recipes.Variant v : plan.variants()) {
      boolean fusion = v.model().equals("fusion");
      double[] recipe = new double[seeds];
      double[] cpu = new double[seeds];
      double[] epochs = new double[seeds];
      List<String> ablationLabels = fusion ? v.members() : List.of(model);
      double[][] ablations = new double[ablationLabels.size()][seeds];
      double[][] ablationCpu = new double[ablationLabels.size()][seeds];
      for (int s = 0; s < seeds; s++) {
        long seed = s + 1;
        Run r = run(cache, runJsons, v.label(), v.model(), withSeed(v.model(), variantConfig(v, base), seed),
            seed, dataset, splits, protocolJson, dataJson, candidates, fusion ? null : metric, out);
        recipe[s] = r.metric();
        cpu[s] = r.cpuSeconds();
        epochs[s] = r.bestEpoch();
        for (int a = 0; a < ablationLabels.size(); a++) {
          String am = ablationLabels.get(a);
          JsonNode ao = withSeed(am, am.equals(model) ? base : null, seed);
          Run ar = run(cache, runJsons, fusion ? am + " member" : "plain " + model, am, ao, seed, dataset, splits, protocolJson, dataJson, candidates,
              fusion ? null : metric, out);
          ablations[a][s] = ar.metric();
          ablationCpu[a][s] = ar.cpuSeconds();
        }
      }
      int best = 0;
      for (int a = 1; a < ablations.length; a++) {
        if (Recipes.Stats.of(ablations[a]).mean() > Recipes.Stats.of(ablations[best]).mean()) {
          best = a;
        }
      }
      Recipes.Stats rs = Recipes.Stats.of(recipe);
      Recipes.Stats as = Recipes.Stats.of(ablations[best]);
      Recipes.Comparison c = Recipes.compare(recipe, ablations[best]);
      String ablationLabel = fusion ? "best member (" + ablationLabels.get(best) + ")" : "plain " + model;
      ObjectNode row = rows.addObject();
      row.put("recipe", v.recipe());
      row.put("variant", v.label());
      row.set("override", v.override());
      row.put("ablation", ablationLabel);
      putSeries(row, metric, recipe);
      row.put(metric + "_mean", rs.mean());
      row.put(metric + "_sd", rs.sd());
      putSeries(row, "ablation_" + metric, ablations[best]);
      row.put("ablation_" + metric + "_mean", as.mean());
      row.put("ablation_" + metric + "_sd", as.sd());
      row.put("difference", c.difference());
      row.put("standard_error", c.standardError());
      row.put("verdict", c.verdict().text);
      putSeries(row, "cpu_s", cpu);
      row.put("cpu_s_mean", Recipes.Stats.of(cpu).mean());
      row.put("ablation_cpu_s_mean", Recipes.Stats.of(ablationCpu[best]).mean());
      if (!fusion) {
        putSeries(row, "epochs_to_best", epochs);
      }
      table.add(new String[] {v.recipe(), v.label(), meanSd(rs), ablationLabel + " " + meanSd(as),
          Recipes.pct(c.difference(), as.mean()),
          String.format(Locale.ROOT, "%.1f / %.1f", Recipes.Stats.of(cpu).mean(), Recipes.Stats.of(ablationCpu[best]).mean()),
          fusion ? "-" : String.format(Locale.ROOT, "%.1f", Recipes.Stats.of(epochs).mean()), c.verdict().text});
    }
    out.println();
    out.printf(Locale.ROOT, "%s on %s, %s, %d seed%s; %s mean ± sd over the seeds; CPU s of training (validation "
        + "excluded) recipe / ablation%n", model, data.data, protocol.parsed().cliName(), seeds, seeds == 1 ? "" : "s",
        metric);
    String[] header = {"recipe", "variant", metric, "ablation", "change", "CPU s", "best epoch", "verdict"};
    printTable(out, header, table);
    out.println("verdict: " + Recipes.RULE);
    ObjectNode root = Json.object();
    root.put("model", model);
    root.set("protocol", protocolJson);
    root.set("data", dataJson);
    root.put("metric", metric);
    ArrayNode seedList = root.putArray("seeds");
    for (int s = 1; s <= seeds; s++) {
      seedList.add(s);
    }
    root.put("verdict_rule", Recipes.RULE);
    root.set("recipes", rows);
    ArrayNode skippedJson = root.putArray("skipped");
    for (Recipes.Skipped s : plan.skipped()) {
      skippedJson.addObject().put("recipe", s.recipe()).put("reason", s.reason());
    }
    ArrayNode runsJson = root.putArray("runs");
    runJsons.forEach(runsJson::add);
    if (json != null) {
      Json.write(json, root);
      out.println("wrote " + json);
    }
    if (report != null) {
      HtmlReport.write(report, "Perennial recipes: " + model, runJsons, htmlTable(header, table));
      out.println("wrote " + report);
    }
    return 0;
  }

  private Run run(Map<String, Run> cache, List<JsonNode> runJsons, String label, String algorithm, JsonNode config,
      long seed, Dataset dataset, List<Split> splits, ObjectNode protocolJson, ObjectNode dataJson,
      Candidates candidates, String earlyStopping, PrintStream out) {
    String key = algorithm + " " + (config == null ? "{}" : config.toString()) + " " + earlyStopping;
    Run cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    long[] trainCpu = {0};
    int[] bestEpoch = {0};
    double[] lastValidation = {Double.NaN};
    TrainingListener progress = Terminal.progress(out);
    TrainingListener tracking = new TrainingListener() {
      @Override
      public void onEpoch(String name, EpochReport report) {
        // without --early-stop the loop sees an epoch counter; the line shows the real validation figure
        progress.onEpoch(name, earlyStop || Double.isNaN(report.validation()) ? report
            : new EpochReport(report.epoch(), report.totalEpochs(), report.loss(), report.eventsPerSecond(),
                report.elapsedSeconds(), lastValidation[0]));
      }

      @Override
      public void onEarlyStop(String name, int best, double value) {
        progress.onEarlyStop(name, best, value);
      }
    };
    Evaluations.Outcome outcome = Evaluations.run(label + " seed " + seed, algorithm, config, null, dataset, splits,
        protocolJson, dataJson, k, TrainingOptions.of(tracking), candidates, earlyStopping, patience,
        Quantization.NONE, t -> cpuTimed(t, trainCpu, earlyStop, bestEpoch, lastValidation));
    double metricValue = outcome.json().path("metrics").path("ndcg@" + k).asDouble(Double.NaN);
    ObjectNode j = outcome.json();
    j.put("cpu_train_s", trainCpu[0] / 1e9);
    if (earlyStopping != null) {
      j.put("epochs_to_best", bestEpoch[0]);
    }
    runJsons.add(j);
    out.printf(Locale.ROOT, "%s seed %d: %s %.4f, %.1f CPU s%s%n", label, seed, "ndcg@" + k, metricValue,
        trainCpu[0] / 1e9, earlyStopping != null ? ", best epoch " + bestEpoch[0] : "");
    Run r = new Run(metricValue, trainCpu[0] / 1e9, bestEpoch[0], j);
    cache.put(key, r);
    return r;
  }

  /**
   * {@code base}, adding to {@code cpu} the CPU time of its fits (the calling thread and the engine's
   * workers) without the validation passes early stopping makes.
   */
  private static Trainer cpuTimed(Trainer base, long[] cpu, boolean earlyStop, int[] bestEpoch, double[] last) {
    return new Trainer() {
      @Override
      public String type() {
        return base.type();
      }

      @Override
      public JsonNode configJson() {
        return base.configJson();
      }

      @Override
      public long estimatedBytes(int users, int items, long interactions) {
        return base.estimatedBytes(users, items, interactions);
      }

      @Override
      public Recommender fit(Dataset train, TrainingOptions options) {
        long[] validation = {0};
        int[] calls = {0};
        double[] best = {Double.NEGATIVE_INFINITY};
        TrainingOptions timed = options;
        Validator v = options.validator();
        if (v != null) {
          Validator counted = new Validator() {
            @Override
            public String metric() {
              return v.metric();
            }

            @Override
            public boolean higherIsBetter() {
              return v.higherIsBetter();
            }

            @Override
            public double evaluate(Recommender model) {
              long t0 = UpdateStats.cpuNanosNow();
              double value = v.evaluate(model);
              validation[0] += UpdateStats.cpuNanosNow() - t0;
              calls[0]++;
              last[0] = value;
              if (value > best[0]) {
                best[0] = value;
                bestEpoch[0] = calls[0];
              }
              // observing only: an ever-better figure, so the loop neither stops nor restores an earlier epoch
              return earlyStop ? value : calls[0];
            }
          };
          timed = new TrainingOptions(options.listener(), counted, options.patience(), options.lossEvery());
        }
        long t0 = UpdateStats.cpuNanosNow();
        Recommender model = base.fit(train, timed);
        cpu[0] += UpdateStats.cpuNanosNow() - t0 - validation[0];
        return model;
      }
    };
  }

  /**
   * The variant's config: the user's config with the variant's overrides on top; for a fusion the
   * user's config goes to the member that is the model, so it trains as its ablation does.
   */
  private ObjectNode variantConfig(Recipes.Variant v, JsonNode base) {
    if (!v.model().equals("fusion")) {
      return merged(base, v.override());
    }
    ObjectNode o = merged(null, v.override());
    if (base != null && base.isObject() && !base.isEmpty() && v.members().contains(model)) {
      o.putObject("memberConfigs").set(model, base.deepCopy());
    }
    return o;
  }

  /** {@code base} with {@code override}'s fields on top (either may be null). */
  private static ObjectNode merged(JsonNode base, JsonNode override) {
    ObjectNode o = base != null && base.isObject() ? ((ObjectNode) base).deepCopy() : Json.object();
    if (override != null) {
      override.fields().forEachRemaining(f -> o.set(f.getKey(), f.getValue()));
    }
    return o;
  }

  /** The config with {@code seed} as its seed, and for a fusion every member's too. */
  private static ObjectNode withSeed(String algorithm, JsonNode config, long seed) {
    ObjectNode o = merged(config, null);
    if (Algorithms.defaults(algorithm).has("seed")) {
      o.put("seed", seed);
    }
    if (algorithm.equals("fusion")) {
      ObjectNode memberConfigs = o.has("memberConfigs") ? (ObjectNode) o.get("memberConfigs") : o.putObject("memberConfigs");
      for (JsonNode m : o.path("members")) {
        String name = m.asText();
        if (Algorithms.NAMES.contains(name) && Algorithms.defaults(name).has("seed")) {
          ObjectNode mc = memberConfigs.has(name) ? (ObjectNode) memberConfigs.get(name) : memberConfigs.putObject(name);
          mc.put("seed", seed);
        }
      }
    }
    return o;
  }

  private static void putSeries(ObjectNode row, String field, double[] values) {
    ArrayNode a = row.putArray(field);
    for (double v : values) {
      a.add(v);
    }
  }

  private static String meanSd(Recipes.Stats s) {
    return Double.isNaN(s.sd()) ? String.format(Locale.ROOT, "%.4f", s.mean())
        : String.format(Locale.ROOT, "%.4f ± %.4f", s.mean(), s.sd());
  }

  private static void printTable(PrintStream out, String[] header, List<String[]> rows) {
    int[] width = new int[header.length];
    for (int c = 0; c < header.length; c++) {
      width[c] = header[c].length();
      for (String[] r : rows) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    StringBuilder h = new StringBuilder();
    for (int c = 0; c < header.length; c++) {
      h.append(String.format(Locale.ROOT, "%-" + width[c] + "s  ", header[c]));
    }
    out.println(h.toString().stripTrailing());
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < r.length; c++) {
        line.append(String.format(Locale.ROOT, "%-" + width[c] + "s  ", r[c]));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String htmlTable(String[] header, List<String[]> rows) {
    StringBuilder html = new StringBuilder("<h2>Recipes against their ablations</h2><table><tr>");
    for (String h : header) {
      html.append("<th>").append(HtmlReport.escape(h)).append("</th>");
    }
    html.append("</tr>");
    for (String[] r : rows) {
      html.append("<tr>");
      for (String cell : r) {
        html.append("<td>").append(HtmlReport.escape(cell)).append("</td>");
      }
      html.append("</tr>");
    }
    html.append("</table><p>Verdict: ").append(HtmlReport.escape(Recipes.RULE)).append(".</p><h2>Every run</h2>");
    return html.toString();
  }
}
