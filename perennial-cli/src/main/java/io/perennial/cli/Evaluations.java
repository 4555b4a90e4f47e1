package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.DatasetStats;
import io.perennial.eval.Candidates;
import io.perennial.eval.EvalSettings;
import io.perennial.eval.EvaluationResult;
import io.perennial.eval.Evaluator;
import io.perennial.eval.Split;
import io.perennial.kernel.VectorOps;
import io.perennial.data.InteractionLog;
import io.perennial.model.Algorithms;
import io.perennial.model.fusion.FusionModel;
import io.perennial.model.quantized.Quantization;
import io.perennial.model.quantized.QuantizedModel;
import io.perennial.model.quantized.QuantizedTrainer;
import io.perennial.model.ModelHealth;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Runs one model through a protocol and renders the result as the JSON {@code evaluate} writes. */
final class Evaluations {

  private Evaluations() {}

  record Outcome(String model, EvaluationResult result, ObjectNode json) {}

  static Outcome run(String model, JsonNode config, Dataset data, List<Split> splits,
      ObjectNode protocolJson, ObjectNode dataJson, int k, TrainingOptions training) {
    return run(model, config, data, splits, protocolJson, dataJson, k, training, Candidates.ALL, null, 1);
  }

  /**
   * Runs {@code model} ranking against {@code candidates}, with early stopping on each split's
   * validation part by {@code earlyStopping} ({@code null}: none).
   */
  static Outcome run(String model, JsonNode config, Dataset data, List<Split> splits,
      ObjectNode protocolJson, ObjectNode dataJson, int k, TrainingOptions training,
      Candidates candidates, String earlyStopping, int patience) {
    return run(model, model, config, null, data, splits, protocolJson, dataJson, k, training, candidates,
        earlyStopping, patience);
  }

  /**
   * As the other, under the name {@code label} in the JSON and tables (a baseline: {@code genre}
   * is the content model on genres), giving a content model {@code content}.
   */
  static Outcome run(String label, String model, JsonNode config, io.perennial.model.content.ItemContent content,
      Dataset data, List<Split> splits, ObjectNode protocolJson, ObjectNode dataJson, int k, TrainingOptions training,
      Candidates candidates, String earlyStopping, int patience) {
    return run(label, model, config, content, data, splits, protocolJson, dataJson, k, training, candidates,
        earlyStopping, patience, Quantization.NONE);
  }

  /**
   * As the other, scoring with the model's tables as {@code quantization} stores them: the model is
   * trained (and health-checked) in floats, then quantised before it is evaluated.
   */
  static Outcome run(String label, String model, JsonNode config, io.perennial.model.content.ItemContent content,
      Dataset data, List<Split> splits, ObjectNode protocolJson, ObjectNode dataJson, int k, TrainingOptions training,
      Candidates candidates, String earlyStopping, int patience, Quantization quantization) {
    return run(label, model, config, content, data, splits, protocolJson, dataJson, k, training, candidates,
        earlyStopping, patience, quantization, java.util.function.UnaryOperator.identity());
  }

  /** As the other, training through {@code wrap} (a distillation around the model's trainer). */
  static Outcome run(String label, String model, JsonNode config, io.perennial.model.content.ItemContent content,
      Dataset data, List<Split> splits, ObjectNode protocolJson, ObjectNode dataJson, int k, TrainingOptions training,
      Candidates candidates, String earlyStopping, int patience, Quantization quantization,
      java.util.function.UnaryOperator<Trainer> wrap) {
    Trainer trainer = wrap.apply(ContentOptions.withContent(model, Algorithms.trainer(model, config), content));
    EvalSettings settings = EvalSettings.ranking(k).withRatingMetrics(Algorithms.isExplicit(model))
        .withCandidates(candidates);
    List<io.perennial.privacy.PrivacyReport> privacy = new java.util.ArrayList<>();
    Trainer checked = healthChecked(trainer, splits.size(), privacy);
    long[] tableBytes = {0};
    if (quantization != Quantization.NONE) {
      checked = quantizedChecked(checked, quantization, tableBytes);
    }
    List<FusionModel> fused = new ArrayList<>();
    checked = keepingFusions(checked, fused);
    long t0 = System.nanoTime();
    EvaluationResult result = Evaluator.run(checked, data, splits, settings, training,
        earlyStopping, patience);
    double total = (System.nanoTime() - t0) / 1e9;
    ObjectNode json = Json.object();
    json.put("model", label);
    if (!label.equals(model)) {
      json.put("algorithm", model);
    }
    json.set("protocol", protocolJson);
    if (quantization != Quantization.NONE) {
      json.put("quantize", quantization.label());
      json.put("factor_table_bytes", tableBytes[0]);
    }
    json.put("k", k);
    json.set("data", dataJson);
    json.set("metrics", metrics(result.metrics()));
    var splitArray = json.putArray("splits");
    for (int s = 0; s < result.perSplit().size(); s++) {
      ObjectNode split = splitArray.addObject();
      split.put("name", result.splitNames().get(s));
      split.put("train_interactions", splits.get(s).train().size());
      split.put("test_interactions", splits.get(s).test().size());
      if (splits.get(s).hasValidation()) {
        split.put("validation_interactions", splits.get(s).validation().size());
      }
      split.set("metrics", metrics(result.perSplit().get(s)));
    }
    json.put("users_evaluated", result.usersEvaluated());
    if (fused.size() == splits.size()) {
      json.set("members", memberJson(fused, data, splits, settings));
      if (!Double.isNaN(fused.get(0).validationNdcg())) {
        json.put("fusion_validation_ndcg", fused.get(0).validationNdcg());
        json.put("fusion_equal_weights_validation_ndcg", fused.get(0).equalWeightsNdcg());
      }
    }
    ObjectNode timings = json.putObject("timings");
    timings.put("train_s", result.trainSeconds());
    timings.put("eval_s", result.evalSeconds());
    timings.put("total_s", total);
    json.set("config", trainer.configJson());
    if (!privacy.isEmpty()) {
      json.set("privacy", privacyJson(privacy));
    }
    ObjectNode engine = json.putObject("engine");
    engine.put("version", new Main.Version().getVersion()[0]);
    engine.put("kernels", VectorOps.implementationName());
    engine.put("java", System.getProperty("java.version"));
    return new Outcome(label, result, json);
  }

  /**
   * {@code trainer}, adding each {@link FusionModel} it trains to {@code fused} (one per split, in
   * split order) so that the members inside it can be scored on the same split afterwards.
   */
  private static Trainer keepingFusions(Trainer trainer, List<FusionModel> fused) {
    return new Trainer() {
      @Override
      public String type() {
        return trainer.type();
      }

      @Override
      public JsonNode configJson() {
        return trainer.configJson();
      }

      @Override
      public Recommender fit(Dataset train, TrainingOptions options) {
        Recommender model = trainer.fit(train, options);
        if (model instanceof FusionModel f) {
          fused.add(f);
        }
        return model;
      }

      @Override
      public long estimatedBytes(int users, int items, long interactions) {
        return trainer.estimatedBytes(users, items, interactions);
      }
    };
  }

  /**
   * Each member of the fused models scored on its split exactly as the fusion was (same test
   * events, candidates and tie-break), so the fusion's gain over its best member is measured within
   * one run: the members are the very models inside the fusion. Metrics are the mean over splits;
   * the weights are the first split's.
   */
  private static com.fasterxml.jackson.databind.node.ArrayNode memberJson(List<FusionModel> fused, Dataset data,
      List<Split> splits, EvalSettings settings) {
    com.fasterxml.jackson.databind.node.ArrayNode out = Json.MAPPER.createArrayNode();
    List<String> names = fused.get(0).config().members();
    for (int m = 0; m < names.size(); m++) {
      Map<String, Double> mean = new java.util.LinkedHashMap<>();
      for (int s = 0; s < splits.size(); s++) {
        Split split = splits.get(s);
        Map<String, Double> metrics = Evaluator.evaluate(fused.get(s).members().get(m), split.test(), settings,
            data.log(), split.candidateItems());
        metrics.remove("users");
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
          mean.merge(e.getKey(), e.getValue() / splits.size(), Double::sum);
        }
      }
      ObjectNode member = out.addObject();
      member.put("model", names.get(m));
      member.put("weight", fused.get(0).weights()[m]);
      member.set("metrics", metrics(mean));
    }
    return out;
  }

  /**
   * Metric families in the order every table shows them, whichever models are in it: the rating
   * errors first, then the ranking metrics at K, then catalogue coverage.
   */
  static final List<String> METRIC_ORDER =
      List.of("rmse", "mae", "precision", "recall", "f1", "ndcg", "hr", "mrr", "map", "auc", "coverage");

  /**
   * The metric columns of a table of {@code results}: every metric any of them has, in {@link
   * #METRIC_ORDER} (then by cut-off); names outside it follow alphabetically. A model that lacks a
   * metric leaves a gap in its row instead of moving the columns.
   */
  static List<String> metricColumns(List<JsonNode> results) {
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode r : results) {
      r.path("metrics").fieldNames().forEachRemaining(names::add);
    }
    List<String> columns = new ArrayList<>(names);
    columns.sort(Comparator.comparingInt(Evaluations::familyRank)
        .thenComparingInt(Evaluations::cutOff)
        .thenComparing(Comparator.naturalOrder()));
    return columns;
  }

  private static int familyRank(String metric) {
    int rank = METRIC_ORDER.indexOf(family(metric));
    return rank < 0 ? METRIC_ORDER.size() : rank;
  }

  private static String family(String metric) {
    int at = metric.indexOf('@');
    return at < 0 ? metric : metric.substring(0, at);
  }

  private static int cutOff(String metric) {
    int at = metric.indexOf('@');
    try {
      return at < 0 ? 0 : Integer.parseInt(metric.substring(at + 1));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  /**
   * {@code model} if {@link ModelHealth} passes it on {@code sample} (a holdout, or the training
   * events); otherwise a {@link UserException} naming {@code what}, the reason and what to try.
   */
  static Recommender requireHealthy(Recommender model, InteractionLog sample, String what) {
    ModelHealth.Verdict verdict = ModelHealth.check(model, ModelHealth.DEFAULT_MAX_NORM, sample);
    if (!verdict.healthy()) {
      throw new UserException(what + ": " + verdict.reason()
          + "; check the values in the data and the --config overrides (a smaller learningRate)");
    }
    return model;
  }

  /**
   * {@code trainer}, refusing every model it trains that fails the health check: a diverged model
   * must stop the evaluation, not be scored as zeros.
   */
  /**
   * The DP-SGD guarantee of the models trained (one per split): the largest ε, since each split's
   * model is a separate release of the same data; each split's figures under {@code "splits"}.
   */
  static ObjectNode privacyJson(List<io.perennial.privacy.PrivacyReport> reports) {
    ObjectNode out = Json.object();
    io.perennial.privacy.PrivacyReport worst = reports.stream()
        .max(java.util.Comparator.comparingDouble(io.perennial.privacy.PrivacyReport::epsilon)).orElseThrow();
    out.put("mechanism", "DP-SGD (Poisson sampling, per-example clipping, Gaussian noise; RDP accountant)");
    out.put("unit", worst.unit());
    Json.putNumber(out, "epsilon", worst.epsilon());
    out.put("delta", worst.delta());
    var each = out.putArray("splits");
    for (io.perennial.privacy.PrivacyReport r : reports) {
      ObjectNode o = each.addObject();
      Json.putNumber(o, "epsilon", r.epsilon());
      o.put("delta", r.delta());
      o.put("noise_multiplier", r.noiseMultiplier());
      o.put("sampling_rate", r.samplingRate());
      o.put("steps", r.steps());
      o.put("clip_norm", r.clipNorm());
      o.put("rdp_order", r.order());
      o.put("examples", r.examples());
      o.put("unit", r.unit());
    }
    return out;
  }

  /**
   * {@code floats} (already health-checked) with its models quantised to int8, each quantised model
   * health-checked too, since it, not the float one, is what gets evaluated; its table size goes to
   * {@code tableBytes[0]}.
   */
  static Trainer quantizedChecked(Trainer floats, long[] tableBytes) {
    return quantizedChecked(floats, Quantization.INT8, tableBytes);
  }

  static Trainer quantizedChecked(Trainer floats, Quantization form, long[] tableBytes) {
    Trainer quantizing = new QuantizedTrainer(floats, form);
    return new Trainer() {
      @Override
      public String type() {
        return quantizing.type();
      }

      @Override
      public JsonNode configJson() {
        return quantizing.configJson();
      }

      @Override
      public Recommender fit(Dataset train, TrainingOptions options) {
        String what = "the " + form.label() + "-quantised " + floats.type() + " model is unusable, nothing was evaluated";
        Recommender quantised;
        try {
          quantised = quantizing.fit(train, options);
        } catch (IllegalArgumentException e) {
          throw new UserException(what + ": " + e.getMessage());
        }
        QuantizedModel q = (QuantizedModel) requireHealthy(quantised, train.log(), what);
        tableBytes[0] = q.tableBytes();
        return q;
      }
    };
  }

  private static Trainer healthChecked(Trainer trainer, int splits, List<io.perennial.privacy.PrivacyReport> privacy) {
    return new Trainer() {
      private int split;

      @Override
      public String type() {
        return trainer.type();
      }

      @Override
      public JsonNode configJson() {
        return trainer.configJson();
      }

      @Override
      public Recommender fit(Dataset train, TrainingOptions options) {
        split++;
        Recommender model = requireHealthy(trainer.fit(train, options), train.log(), String.format(Locale.ROOT,
            "the %s model trained on split %d of %d is unusable, nothing was evaluated", trainer.type(), split, splits));
        if (model instanceof io.perennial.model.DifferentiallyPrivate dp && dp.privacy() != null) {
          privacy.add(dp.privacy());
        }
        return model;
      }
    };
  }

  static ObjectNode metrics(Map<String, Double> values) {
    ObjectNode node = Json.object();
    values.forEach((key, value) -> Json.putNumber(node, key, value));
    return node;
  }

  static ObjectNode dataJson(String source, String format, boolean implicit, Dataset data) {
    DatasetStats stats = DatasetStats.of(data);
    ObjectNode node = Json.object();
    node.put("source", source);
    node.put("format", format);
    node.put("implicit", implicit);
    node.put("users", stats.users());
    node.put("items", stats.items());
    node.put("interactions", stats.interactions());
    node.put("density", stats.density());
    node.put("rows_read", data.report().rows());
    node.put("invalid_rows", data.report().invalidTotal());
    node.set("invalid_by_reason", Json.MAPPER.valueToTree(data.report().invalid()));
    return node;
  }
}
