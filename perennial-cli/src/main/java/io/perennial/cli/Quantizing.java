package io.perennial.cli;

import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.Recommender;
import io.perennial.model.quantized.Quantization;
import io.perennial.model.quantized.QuantizedModel;
import io.perennial.store.Checkpoint;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** {@code --quantize}: parsing, the models it applies to, and the compression line it prints. */
final class Quantizing {

  /** The models whose tables int8 and fp16 can hold. */
  static final List<String> FACTOR_MODELS = List.of("mf", "bpr", "ials");

  private Quantizing() {}

  /** Parses {@code --quantize} and refuses int8 for a model without factor tables. */
  static Quantization parse(String value, String model) {
    Quantization q;
    try {
      q = Quantization.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UserException("--quantize: " + e.getMessage());
    }
    if (q != Quantization.NONE && model != null && !FACTOR_MODELS.contains(model)) {
      throw new UserException("--quantize " + q.label() + ": " + model + " has no factor tables to quantise (it works for "
          + String.join(", ", FACTOR_MODELS) + ")");
    }
    return q;
  }

  /** The checkpoint with int8 tables, after printing its size against the float one's. */
  static Checkpoint quantize(Checkpoint fp32, PrintStream out) {
    return quantize(fp32, Quantization.INT8, out);
  }

  /** The checkpoint with its tables in {@code form} (int8 or fp16), after printing its size against the float one's. */
  static Checkpoint quantize(Checkpoint fp32, Quantization form, PrintStream out) {
    Recommender model = Algorithms.restore(fp32.state());
    if (!(model instanceof FactorModel) && !(model instanceof QuantizedModel)) {
      throw new UserException("--quantize " + form.label() + ": a " + model.type() + " model has no factor tables to quantise (it "
          + "works for " + String.join(", ", FACTOR_MODELS) + ")");
    }
    QuantizedModel int8;
    try {
      int8 = QuantizedModel.of(model, form);
    } catch (IllegalArgumentException e) {
      throw new UserException("--quantize " + form.label() + ": " + e.getMessage());
    }
    Checkpoint small = new Checkpoint(int8.state(), fp32.users(), fp32.items(), fp32.provenance());
    long before = fp32.encodedBytes();
    long after = small.encodedBytes();
    out.printf(Locale.ROOT, form.label() + ": checkpoint %s instead of %s (%.1f %% of fp32, %.2f× smaller); factor tables %s%n",
        bytes(after), bytes(before), 100.0 * after / before, (double) before / after, bytes(int8.tableBytes()));
    return small;
  }

  static String bytes(long n) {
    if (n >= 1L << 30) {
      return String.format(Locale.ROOT, "%.2f GB", n / (double) (1L << 30));
    }
    if (n >= 1L << 20) {
      return String.format(Locale.ROOT, "%.2f MB", n / (double) (1L << 20));
    }
    return String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
  }
}
