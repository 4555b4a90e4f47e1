package io.perennial.content;

import java.util.List;

/**
 * A sentence encoder: texts in, unit-length vectors out, so a dot product is a cosine. The same
 * text always gives the same vector, whatever else is in its batch. Implementations are safe to
 * call from several threads.
 */
public interface TextEncoder extends AutoCloseable {

  /** Names the model and its build (e.g. {@code all-minilm-l6-v2-q}); caches key on it. */
  String name();

  /** Length of every vector. */
  int dimensions();

  /** One unit vector per text, in order. */
  float[][] encode(List<String> texts);

  /** Frees native resources; the encoder is unusable afterwards. */
  @Override
  default void close() {}
}
