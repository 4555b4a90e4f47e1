package io.perennial.model.quantized;

import java.util.Locale;

/** How a model's embedding tables are stored: as trained ({@code none}), as int8 codes or as fp16 halves. */
public enum Quantization {
  /** Float tables, as trained. */
  NONE,
  /** Per-row-scaled int8 tables: one byte per element plus one float scale per row. */
  INT8,
  /** IEEE half-precision tables: two bytes per element, no scales. */
  FP16;

  /** The command-line name: {@code none}, {@code int8}, {@code fp16}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a command-line value.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Quantization parse(String text) {
    for (Quantization q : values()) {
      if (q.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return q;
      }
    }
    throw new IllegalArgumentException("unknown quantisation '" + text + "' (expected none, int8 or fp16)");
  }
}
