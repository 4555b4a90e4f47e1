package io.perennial.model.quantized;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.data.Dataset;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;

/**
 * Trains the base model as usual, then quantises its tables ({@link QuantizedModel#of}): what
 * {@code --quantize int8} (or {@code fp16}) evaluates, so the figures are those of the model as it
 * would be served.
 */
public final class QuantizedTrainer implements Trainer {

  private final Trainer base;
  private final Quantization form;

  /** Quantises to int8. */
  public QuantizedTrainer(Trainer base) {
    this(base, Quantization.INT8);
  }

  /** Quantises to {@code form} ({@code INT8} or {@code FP16}). */
  public QuantizedTrainer(Trainer base, Quantization form) {
    if (form == Quantization.NONE) {
      throw new IllegalArgumentException("a quantised trainer needs int8 or fp16, not none");
    }
    this.base = base;
    this.form = form;
  }

  @Override
  public String type() {
    return form == Quantization.FP16 ? QuantizedModel.TYPE_FP16 : QuantizedModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return base.configJson();
  }

  @Override
  public Recommender fit(Dataset train, TrainingOptions options) {
    return QuantizedModel.of(base.fit(train, options), form);
  }

  /** The base model's estimate: it is trained in floats before it is quantised. */
  @Override
  public long estimatedBytes(int users, int items, long interactions) {
    return base.estimatedBytes(users, items, interactions);
  }
}
