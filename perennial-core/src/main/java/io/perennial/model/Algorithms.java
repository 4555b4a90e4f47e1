package io.perennial.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.model.bpr.BprConfig;
import io.perennial.model.bpr.BprModel;
import io.perennial.model.bpr.BprTrainer;
import io.perennial.model.content.ContentConfig;
import io.perennial.model.content.ContentModel;
import io.perennial.model.content.ContentTrainer;
import io.perennial.model.content.HybridConfig;
import io.perennial.model.content.HybridModel;
import io.perennial.model.content.HybridTrainer;
import io.perennial.model.fusion.FusionConfig;
import io.perennial.model.fusion.FusionModel;
import io.perennial.model.fusion.FusionTrainer;
import io.perennial.model.ials.IalsConfig;
import io.perennial.model.ials.IalsModel;
import io.perennial.model.ials.IalsTrainer;
import io.perennial.model.knn.ItemKnnConfig;
import io.perennial.model.knn.ItemKnnModel;
import io.perennial.model.knn.ItemKnnTrainer;
import io.perennial.model.mf.MfConfig;
import io.perennial.model.mf.MfModel;
import io.perennial.model.mf.MfTrainer;
import io.perennial.model.neumf.NeumfConfig;
import io.perennial.model.neumf.NeumfModel;
import io.perennial.model.neumf.NeumfTrainer;
import io.perennial.model.quantized.QuantizedModel;
import io.perennial.model.popularity.PopularityConfig;
import io.perennial.model.popularity.PopularityModel;
import io.perennial.model.popularity.PopularityTrainer;
import io.perennial.model.sasrec.SasrecConfig;
import io.perennial.model.sasrec.SasrecModel;
import io.perennial.model.sasrec.SasrecTrainer;
import io.perennial.model.random.RandomConfig;
import io.perennial.model.random.RandomModel;
import io.perennial.model.random.RandomTrainer;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The algorithms by name: builds a trainer from the defaults overlaid with a JSON object of
 * overrides, and restores a model from its {@link ModelState}.
 */
public final class Algorithms {

  /** Every algorithm name, in the order the CLI lists them. */
  public static final List<String> NAMES = List.of("pop", "itemknn", "mf", "bpr", "ials", "neumf", "sasrec",
      "random", "content", "hybrid", "fusion");

  /**
   * Whether the algorithm needs item content ({@code --items}): its trainer is a {@link
   * io.perennial.model.content.ContentAware} and must be given it before it fits.
   */
  public static boolean needsContent(String name) {
    return name.equals("content") || name.equals("hybrid");
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Algorithms() {}

  /**
   * Overrides that suit learning from a stream, applied under the user's own: iALS weighs recent
   * behaviour (confidence decays by 0.7 per newer event of the user) and trusts observed events
   * more (α = 30), which lifted online HR@10 on ml-latest-small from 0.051 to 0.067 (see
   * docs/BENCHMARKS.md). Other models stream with their batch defaults.
   */
  public static ObjectNode streamingDefaults(String name) {
    ObjectNode overrides = JSON.createObjectNode();
    if (name.equals("ials")) {
      overrides.put("alpha", 30f).put("recencyDecay", 0.7f);
    }
    return overrides;
  }

  /**
   * The streaming overrides for a server's learner: BPR takes 3 SGD steps and 2 replayed ones per
   * event instead of 10 and 5. At thousands of events per second the extra steps buy no accuracy,
   * cost the learner three times the CPU, and move so many random negatives that the item vectors
   * become much harder for the search graph to serve (docs/BENCHMARKS.md, "Session 6"); on a
   * small offline stream, where every event counts, the batch default is better.
   */
  public static ObjectNode servingDefaults(String name) {
    ObjectNode overrides = streamingDefaults(name);
    if (name.equals("bpr")) {
      overrides.put("onlineSteps", 3).put("onlineReplay", 2);
    }
    return overrides;
  }

  /** Whether the algorithm learns from ratings (explicit) rather than implicit events. */
  public static boolean isExplicit(String name) {
    return name.equals("mf");
  }

  /** The default config of {@code name} as JSON. */
  public static ObjectNode defaults(String name) {
    Object config = switch (name) {
      case "pop" -> PopularityConfig.defaults();
      case "itemknn" -> ItemKnnConfig.defaults();
      case "mf" -> MfConfig.defaults();
      case "bpr" -> BprConfig.defaults();
      case "ials" -> IalsConfig.defaults();
      case "neumf" -> NeumfConfig.defaults();
      case "sasrec" -> SasrecConfig.defaults();
      case "random" -> RandomConfig.defaults();
      case "content" -> ContentConfig.defaults();
      case "hybrid" -> HybridConfig.defaults();
      case "fusion" -> FusionConfig.defaults();
      default -> throw unknown(name);
    };
    return JSON.valueToTree(config);
  }

  /**
   * A trainer for {@code name} with {@code overrides} (may be null) applied to the defaults.
   *
   * @throws IllegalArgumentException naming an unknown algorithm, an unknown config field, or a
   *     value the config rejects
   */
  public static Trainer trainer(String name, JsonNode overrides) {
    ObjectNode config = defaults(name);
    if (overrides != null && !overrides.isNull()) {
      if (!overrides.isObject()) {
        throw new IllegalArgumentException("config for " + name + " must be a JSON object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!config.has(field.getKey())) {
          throw new IllegalArgumentException("unknown config field '" + field.getKey() + "' for "
              + name + " (known: " + iterable(config.fieldNames()) + ")");
        }
        checkNumber(name, field.getKey(), config.get(field.getKey()), field.getValue());
        config.set(field.getKey(), field.getValue());
      }
    }
    try {
      return switch (name) {
        case "pop" -> new PopularityTrainer(JSON.treeToValue(config, PopularityConfig.class));
        case "itemknn" -> new ItemKnnTrainer(JSON.treeToValue(config, ItemKnnConfig.class));
        case "mf" -> new MfTrainer(JSON.treeToValue(config, MfConfig.class));
        case "bpr" -> new BprTrainer(JSON.treeToValue(config, BprConfig.class));
        case "ials" -> new IalsTrainer(JSON.treeToValue(config, IalsConfig.class));
        case "neumf" -> new NeumfTrainer(JSON.treeToValue(config, NeumfConfig.class));
        case "sasrec" -> new SasrecTrainer(JSON.treeToValue(config, SasrecConfig.class));
        case "random" -> new RandomTrainer(JSON.treeToValue(config, RandomConfig.class));
        case "content" -> new ContentTrainer(JSON.treeToValue(config, ContentConfig.class));
        case "hybrid" -> new HybridTrainer(JSON.treeToValue(config, HybridConfig.class));
        case "fusion" -> new FusionTrainer(JSON.treeToValue(config, FusionConfig.class));
        default -> throw unknown(name);
      };
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException("unknown config field '" + e.getPropertyName() + "'");
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      // a fusion's member config names its member; its own message is the whole story
      throw new IllegalArgumentException("bad config for " + name + ": " + (name.equals("fusion") && e.getMessage() != null
          && e.getMessage().startsWith("fusion member") ? e.getMessage() : rootMessage(e)));
    }
  }

  /**
   * Rejects a number the field's type cannot hold, which Jackson would otherwise bend: a fraction
   * for an integer field (truncated: {@code "seed": 1.5} became 1), and a non-finite or
   * out-of-range value for a floating-point one ({@code 1e400} became Infinity). The field's
   * type is read off its default value.
   */
  private static void checkNumber(String name, String field, JsonNode defaultValue, JsonNode value) {
    if (!value.isNumber() || !defaultValue.isNumber()) {
      return;
    }
    String where = "config field '" + field + "' for " + name + ": ";
    double d = value.doubleValue();
    if (defaultValue.isIntegralNumber()) {
      if (value.isFloatingPointNumber() && (!Double.isFinite(d) || d != Math.rint(d))) {
        throw new IllegalArgumentException(where + "must be a whole number, got " + number(value));
      }
      if (defaultValue.isInt() ? !value.canConvertToInt() : !value.canConvertToLong()) {
        throw new IllegalArgumentException(where + number(value) + " is out of range (at most "
            + (defaultValue.isInt() ? Integer.MAX_VALUE : Long.MAX_VALUE) + ")");
      }
    } else if (!Double.isFinite(d)) {
      throw new IllegalArgumentException(where + "must be a finite number, got " + number(value));
    } else if (defaultValue.isFloat() && Math.abs(d) > Float.MAX_VALUE) {
      throw new IllegalArgumentException(where + number(value) + " is out of range (at most "
          + Float.MAX_VALUE + ")");
    }
  }

  private static String number(JsonNode value) {
    return Double.isInfinite(value.doubleValue()) ? "a number too large to represent" : value.asText();
  }

  /** Rebuilds a model from a checkpoint's state. */
  public static Recommender restore(ModelState state) {
    return switch (state.type()) {
      case PopularityModel.TYPE -> PopularityModel.restore(state);
      case ItemKnnModel.TYPE -> ItemKnnModel.restore(state);
      case MfModel.TYPE -> MfModel.restore(state);
      case BprModel.TYPE -> BprModel.restore(state);
      case IalsModel.TYPE -> IalsModel.restore(state);
      case NeumfModel.TYPE -> NeumfModel.restore(state);
      case SasrecModel.TYPE -> SasrecModel.restore(state);
      case RandomModel.TYPE -> RandomModel.restore(state);
      case ContentModel.TYPE -> ContentModel.restore(state);
      case HybridModel.TYPE -> HybridModel.restore(state);
      case QuantizedModel.TYPE, QuantizedModel.TYPE_FP16 -> QuantizedModel.restore(state);
      case FusionModel.TYPE -> FusionModel.restore(state);
      default -> throw new IllegalArgumentException("unknown model type '" + state.type() + "'");
    };
  }

  /** An independent copy of a model (nothing shared with the original). */
  public static Recommender copy(Recommender model) {
    return restore(model.state().deepCopy());
  }

  private static IllegalArgumentException unknown(String name) {
    return new IllegalArgumentException("unknown model '" + name + "' (expected one of " + NAMES + ")");
  }

  private static String iterable(Iterator<String> names) {
    StringBuilder sb = new StringBuilder();
    names.forEachRemaining(n -> sb.append(sb.length() == 0 ? "" : ", ").append(n));
    return sb.toString();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    int nl = m == null ? -1 : m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }
}
