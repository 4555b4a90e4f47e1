package io.perennial.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.model.Algorithms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads {@code --config} files. */
final class ConfigFiles {
  private ConfigFiles() {}

  static JsonNode read(Path file) {
    if (file == null) {
      return null;
    }
    try {
      JsonNode node = Json.MAPPER.readTree(Files.readString(file));
      if (node == null || !node.isObject()) {
        throw new UserException(file + ": config must be a JSON object");
      }
      return node;
    } catch (NoSuchFileException e) {
      throw new UserException(file + ": no such config file");
    } catch (JsonProcessingException e) {
      throw new UserException(file + ":" + e.getLocation().getLineNr() + ": malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UserException(file + ": cannot read: " + e.getMessage());
    }
  }

  /**
   * The overrides for {@code model} from the config {@code file} ({@code null} when there is no file
   * or nothing for this model), checked against the model's config here, so that a bad field is
   * reported with the file it came from.
   */
  static JsonNode overrides(Path file, String model, int modelCount) {
    JsonNode selected = forModel(read(file), model, modelCount);
    // a fusion's entry is checked by FusionMembers once --members and the member entries are in
    if (selected != null && Algorithms.NAMES.contains(model) && !model.equals("fusion")) {
      try {
        Algorithms.trainer(model, selected);
      } catch (IllegalArgumentException e) {
        throw new UserException(file + ": " + e.getMessage());
      }
    }
    return selected;
  }

  /**
   * The overrides for {@code model}: a member named after the model when present, else the whole
   * object when it is the only model.
   */
  static JsonNode forModel(JsonNode config, String model, int modelCount) {
    if (config == null) {
      return null;
    }
    if (config.has(model) && config.get(model).isObject()) {
      return config.get(model);
    }
    boolean keyedByModel = false;
    for (String name : Algorithms.NAMES) {
      keyedByModel |= config.has(name);
    }
    if (keyedByModel) {
      return null;
    }
    if (modelCount > 1) {
      throw new UserException("--config: with several models, key the overrides by model name");
    }
    return config;
  }
}
