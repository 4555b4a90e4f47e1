/**
 * Compressed serving forms of trained models: {@link io.perennial.model.quantized.QuantizedModel}
 * holds a factor model's tables as per-row-scaled int8 codes ({@link io.perennial.kernel.Int8Table})
 * and scores with the kernel package's int8 dot products.
 */
package io.perennial.model.quantized;
