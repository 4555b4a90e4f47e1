package io.perennial.model.content;

/**
 * Precomputed item text vectors keyed by external item id, e.g. the perennial-content encoder's
 * embeddings, handed to core by the command-line layer.
 */
public interface TextVectors {

  /** Columns of every vector. */
  int dims();

  /** The vector of {@code itemId}, or {@code null} when the item has none. */
  float[] vectorOf(String itemId);
}
