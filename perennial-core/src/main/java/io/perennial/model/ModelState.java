package io.perennial.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A model's persistent form: its type, its config as JSON, and named numeric arrays. The checkpoint
 * format stores exactly this; models rebuild themselves from it.
 */
public final class ModelState {

  private final String type;
  private final JsonNode config;
  private final Map<String, float[]> floats = new LinkedHashMap<>();
  private final Map<String, int[]> ints = new LinkedHashMap<>();
  private final Map<String, byte[]> bytes = new LinkedHashMap<>();

  public ModelState(String type, JsonNode config) {
    this.type = Objects.requireNonNull(type);
    this.config = Objects.requireNonNull(config);
  }

  public String type() {
    return type;
  }

  public JsonNode config() {
    return config;
  }

  public ModelState put(String name, float[] values) {
    floats.put(name, values);
    return this;
  }

  public ModelState put(String name, int[] values) {
    ints.put(name, values);
    return this;
  }

  /** Stores a byte array (int8 codes, variable-length integers). */
  public ModelState put(String name, byte[] values) {
    bytes.put(name, values);
    return this;
  }

  /** A copy whose arrays are independent of this state's. */
  public ModelState deepCopy() {
    ModelState copy = new ModelState(type, config.deepCopy());
    floats.forEach((name, values) -> copy.put(name, values.clone()));
    ints.forEach((name, values) -> copy.put(name, values.clone()));
    bytes.forEach((name, values) -> copy.put(name, values.clone()));
    return copy;
  }

  /** Stores a long as two ints (high word first). */
  public ModelState putLong(String name, long value) {
    return put(name, new int[] {(int) (value >>> 32), (int) value});
  }

  public long getLong(String name) {
    int[] words = ints(name);
    if (words.length != 2) {
      throw new IllegalArgumentException("section '" + name + "' is not a long");
    }
    return ((long) words[0] << 32) | (words[1] & 0xffffffffL);
  }

  public Map<String, float[]> floats() {
    return floats;
  }

  public Map<String, int[]> ints() {
    return ints;
  }

  public Map<String, byte[]> bytes() {
    return bytes;
  }

  /** Whether a section of any kind is named {@code name}. */
  public boolean has(String name) {
    return floats.containsKey(name) || ints.containsKey(name) || bytes.containsKey(name);
  }

  /** The byte array {@code name}. */
  public byte[] bytes(String name) {
    byte[] v = bytes.get(name);
    if (v == null) {
      throw new IllegalArgumentException("model state of type " + type + " lacks section '" + name + "'");
    }
    return v;
  }

  /** The float array {@code name}. */
  public float[] floats(String name) {
    float[] v = floats.get(name);
    if (v == null) {
      throw new IllegalArgumentException("model state of type " + type + " lacks section '" + name + "'");
    }
    return v;
  }

  /** The int array {@code name}. */
  public int[] ints(String name) {
    int[] v = ints.get(name);
    if (v == null) {
      throw new IllegalArgumentException("model state of type " + type + " lacks section '" + name + "'");
    }
    return v;
  }
}
