package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.model.Algorithms;
import io.perennial.model.fusion.FusionConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code --members} for {@code --model fusion}: the member list goes into the fusion's config, and
 * each member's config is its command's defaults for that algorithm (the streaming or serving ones
 * where the command has them), then a {@code --config} entry keyed by the member's name, then the
 * fusion config's own {@code memberConfigs} entry.
 */
final class FusionMembers {

  private FusionMembers() {}

  /** Refuses {@code --members} without a fusion among the models. */
  static void check(List<String> members, List<String> models) {
    if (members != null && !models.contains("fusion")) {
      throw new UserException("--members names the models of a fusion; add --model fusion");
    }
  }

  /**
   * The fusion's overrides: {@code own} (the fusion's entry of the config file, may be null) with
   * the members and their configs filled in, checked.
   *
   * @param memberDefaults the command's defaults for an algorithm (e.g. {@link Algorithms#streamingDefaults})
   */
  static ObjectNode overrides(JsonNode own, List<String> members, Path configFile,
      Function<String, ObjectNode> memberDefaults) {
    ObjectNode fusion = own == null ? Json.object() : own.deepCopy();
    if (members != null) {
      ArrayNode list = fusion.putArray("members");
      members.forEach(list::add);
    }
    List<String> names = new ArrayList<>();
    if (fusion.has("members") && fusion.get("members").isArray()) {
      fusion.get("members").forEach(n -> names.add(n.asText()));
    } else {
      names.addAll(FusionConfig.defaults().members());
    }
    JsonNode file = ConfigFiles.read(configFile);
    JsonNode given = fusion.path("memberConfigs");
    ObjectNode configs = Json.object();
    for (String name : names) {
      if (!Algorithms.NAMES.contains(name) || name.equals("fusion")) {
        throw new UserException("--members: '" + name + "' is not a model that can be fused (expected any of "
            + Algorithms.NAMES.stream().filter(n -> !n.equals("fusion")).toList() + ")");
      }
      ObjectNode merged = memberDefaults.apply(name).deepCopy();
      if (file != null && file.path(name).isObject()) {
        file.get(name).fields().forEachRemaining(f -> merged.set(f.getKey(), f.getValue()));
      }
      if (given.path(name).isObject()) {
        given.get(name).fields().forEachRemaining(f -> merged.set(f.getKey(), f.getValue()));
      }
      if (!merged.isEmpty()) {
        configs.set(name, merged);
      }
    }
    fusion.set("memberConfigs", configs);
    try {
      Algorithms.trainer("fusion", fusion);
    } catch (IllegalArgumentException e) {
      throw new UserException((configFile != null ? configFile + ": " : "--model fusion: ") + e.getMessage());
    }
    return fusion;
  }

  /** Whether any member of the fusion needs item content ({@code --items}). */
  static boolean needsContent(JsonNode fusion) {
    boolean[] needs = {false};
    fusion.path("members").forEach(n -> needs[0] |= Algorithms.needsContent(n.asText()));
    return needs[0];
  }
}
