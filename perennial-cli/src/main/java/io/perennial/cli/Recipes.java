package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.model.Algorithms;
import io.perennial.model.curriculum.CurriculumConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The training recipes {@code perennial recipes} measures. A recipe variant is a named config
 * override of the model and an ablation (the same model without it, or for fusion its best member),
 * so a new recipe or a new model field (SASRec's {@code augment}) plugs in by name.
 */
final class Recipes {

  /** The recipes by name, in the order {@code --recipes} lists them. */
  static final List<String> NAMES = List.of("curriculum", "progressive", "augment", "fusion");

  private Recipes() {}

  /**
   * One variant of a recipe.
   *
   * @param recipe the recipe's name
   * @param label the variant's name in tables ({@code popularity:root})
   * @param model the algorithm the variant trains ({@code fusion} for the fusion recipe)
   * @param override the variant's config overrides on top of the user's config
   * @param members for fusion: the members, each the ablation; otherwise empty
   */
  record Variant(String recipe, String label, String model, ObjectNode override, List<String> members) {}

  /** A recipe that does not apply to the model, and why. */
  record Skipped(String recipe, String reason) {}

  /** What {@link #variants} returns: the runnable variants and the recipes left out. */
  record Plan(List<Variant> variants, List<Skipped> skipped) {}

  /**
   * The variants of {@code recipes} for {@code model}.
   *
   * @param curriculum {@code --curriculum} (one spec or a comma-separated list, run in that order instead
   *     of every scorer), or {@code null}
   * @param members {@code --members} for fusion, or {@code null} for ials, itemknn and the model
   * @param base the user's config overrides for the model (factors and epochs size the stages)
   */
  static Plan variants(List<String> recipes, String model, String curriculum, List<String> members, JsonNode base) {
    List<Variant> out = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    ObjectNode defaults = Algorithms.defaults(model);
    for (String recipe : recipes) {
      switch (recipe) {
        case "curriculum" -> {
          if (!defaults.has("curriculum")) {
            skipped.add(new Skipped(recipe, model + " has no SGD epochs over examples to order"));
            continue;
          }
          List<String> specs = curriculum != null ? List.of(curriculum.split(",", -1))
              : List.of("popularity:root", "activity:root", "self-paced:root", "teacher:root", "anti-popularity:root");
          for (String spec : specs) {
            CurriculumConfig c;
            try {
              c = CurriculumConfig.parse(spec);
            } catch (IllegalArgumentException e) {
              throw new UserException("--curriculum: " + e.getMessage());
            }
            ObjectNode o = Json.object();
            o.set("curriculum", Json.MAPPER.valueToTree(c));
            out.add(new Variant(recipe, spec, model, o, List.of()));
          }
        }
        case "progressive" -> {
          if (model.equals("sasrec")) {
            sasrecDeepening(base, defaults, out, skipped);
            continue;
          }
          if (!defaults.has("progressive")) {
            skipped.add(new Skipped(recipe, model.equals("ials") ? "iALS solves each row exactly in closed form: growing it in stages saves nothing"
                : model + " has no factor tables to widen"));
            continue;
          }
          int factors = intField(base, defaults, "factors");
          int epochs = intField(base, defaults, "epochs");
          if (factors < 4 || epochs < 4) {
            skipped.add(new Skipped(recipe, "needs factors >= 4 and epochs >= 4 to stage (got " + factors + ", "
                + epochs + ")"));
            continue;
          }
          // a quarter of the width for the first quarter of the epochs, half for the second, then all
          ObjectNode stages = Json.object();
          stages.putArray("factors").add(factors / 4).add(factors / 2);
          stages.putArray("widenAt").add(epochs / 4).add(epochs / 2);
          String widths = (factors / 4) + "→" + (factors / 2) + "→" + factors;
          ObjectNode widen = Json.object();
          widen.set("progressive", stages);
          out.add(new Variant(recipe, "widen " + widths, model, widen, List.of()));
          ObjectNode warm = widen.deepCopy();
          warm.put("warmupEpochs", 3);
          out.add(new Variant(recipe, "widen " + widths + " + warm-up 3", model, warm, List.of()));
        }
        case "augment" -> {
          if (model.equals("bpr")) {
            out.add(new Variant(recipe, "hard negatives (5)", model,
                Json.object().put("negativeSampling", "HARD").put("hardCandidates", 5), List.of()));
            out.add(new Variant(recipe, "popularity negatives (0.75)", model,
                Json.object().put("negativeSampling", "POPULARITY").put("popularityExponent", 0.75f), List.of()));
            out.add(new Variant(recipe, "in-batch negatives", model,
                Json.object().put("negativeSampling", "IN_BATCH"), List.of()));
            out.add(new Variant(recipe, "history dropout 0.1", model,
                Json.object().put("historyDropout", 0.1f), List.of()));
          } else if (model.equals("sasrec")) {
            if (!defaults.has("augment") || !defaults.has("contrastiveWeight")) {
              skipped.add(new Skipped(recipe, "this build's SASRec has no augment/contrastiveWeight config fields"));
              continue;
            }
            ObjectNode o = Json.object();
            o.putArray("augment").add("crop").add("mask").add("reorder");
            o.put("contrastiveWeight", 0.1f);
            out.add(new Variant(recipe, "crop,mask,reorder + contrastive 0.1", model, o, List.of()));
          } else {
            skipped.add(new Skipped(recipe, "augmentation recipes exist for bpr (negatives, history dropout) and sasrec"));
          }
        }
        case "fusion" -> {
          List<String> fused = members;
          if (fused == null) {
            fused = new ArrayList<>(List.of("ials", "itemknn"));
            if (!fused.contains(model)) {
              fused.add(model);
            } else {
              fused.add("bpr");
            }
          }
          for (String m : fused) {
            if (!Algorithms.NAMES.contains(m) || m.equals("fusion") || Algorithms.needsContent(m)) {
              throw new UserException("--members: '" + m + "' cannot be fused here (recipes fuse models that need "
                  + "no item metadata)");
            }
          }
          ObjectNode o = Json.object();
          ArrayNode list = o.putArray("members");
          fused.forEach(list::add);
          out.add(new Variant(recipe, "fusion " + String.join(",", fused), "fusion", o, List.copyOf(fused)));
        }
        default -> throw new UserException("--recipes: unknown recipe '" + recipe + "' (expected any of " + NAMES + ")");
      }
    }
    return new Plan(out, skipped);
  }

  /**
   * SASRec's progressive recipe: one block first, a near-identity block added at evenly spaced
   * epochs up to the model's blocks (1→2 at half the epochs for the default 2). Needs an explicit
   * {@code epochs}: the default adapts to the data, and the stages are set in epochs.
   */
  private static void sasrecDeepening(JsonNode base, ObjectNode defaults, List<Variant> out, List<Skipped> skipped) {
    int blocks = intField(base, defaults, "blocks");
    int epochs = intField(base, defaults, "epochs");
    if (blocks < 2 || epochs < blocks) {
      skipped.add(new Skipped("progressive", epochs == 0
          ? "set \"epochs\" in --config: SASRec's default epoch count adapts to the data and the deepening stages are "
              + "epochs"
          : "needs blocks >= 2 and epochs >= blocks to deepen (got " + blocks + ", " + epochs + ")"));
      return;
    }
    ObjectNode stages = Json.object();
    ArrayNode counts = stages.putArray("blocks");
    ArrayNode at = stages.putArray("deepenAt");
    for (int b = 1; b < blocks; b++) {
      counts.add(b);
      at.add(epochs * b / blocks);
    }
    ObjectNode o = Json.object();
    o.set("progressive", stages);
    out.add(new Variant("progressive", "deepen 1→" + blocks + " blocks", "sasrec", o, List.of()));
  }

  private static int intField(JsonNode base, ObjectNode defaults, String field) {
    JsonNode v = base != null && base.has(field) ? base.get(field) : defaults.get(field);
    return v == null ? 0 : v.asInt();
  }

  /** What the numbers say about a recipe against its ablation. */
  enum Verdict {
    HELPS("helps"), NO_EFFECT("no effect within noise"), HURTS("hurts"), UNKNOWN("no noise estimate (1 seed)");

    final String text;

    Verdict(String text) {
      this.text = text;
    }
  }

  /** The rule, as the report states it. */
  static final String RULE = "difference of the means beyond 2 x its standard error, sqrt(s_r^2/n_r + s_a^2/n_a) "
      + "(s the standard deviation over the seeds), is 'helps' or 'hurts'; within it, 'no effect within noise'";

  /** Mean, sample standard deviation and standard error of the mean. */
  record Stats(double mean, double sd, int n) {
    static Stats of(double[] values) {
      int n = values.length;
      double mean = 0;
      for (double v : values) {
        mean += v;
      }
      mean /= Math.max(1, n);
      double ss = 0;
      for (double v : values) {
        ss += (v - mean) * (v - mean);
      }
      return new Stats(mean, n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN, n);
    }
  }

  /** The difference, its standard error and the verdict by {@link #RULE}. */
  record Comparison(double difference, double standardError, Verdict verdict) {}

  /** Compares a recipe's per-seed metric with its ablation's (higher is better). */
  static Comparison compare(double[] recipe, double[] ablation) {
    Stats r = Stats.of(recipe);
    Stats a = Stats.of(ablation);
    double d = r.mean() - a.mean();
    if (r.n() < 2 || a.n() < 2) {
      return new Comparison(d, Double.NaN, Verdict.UNKNOWN);
    }
    double se = Math.sqrt(r.sd() * r.sd() / r.n() + a.sd() * a.sd() / a.n());
    Verdict v = d > 2 * se && d != 0 ? Verdict.HELPS : d < -2 * se && d != 0 ? Verdict.HURTS : Verdict.NO_EFFECT;
    return new Comparison(d, se, v);
  }

  static String pct(double difference, double base) {
    return String.format(Locale.ROOT, "%+.1f %%", 100 * difference / base);
  }
}
