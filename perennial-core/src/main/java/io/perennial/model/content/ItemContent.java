package io.perennial.model.content;

import io.perennial.data.ItemCatalog;
import java.util.Objects;

/**
 * What content trainers know about items besides interactions.
 *
 * @param catalog item metadata by external id
 * @param text precomputed text vectors, or {@code null} when no encoder ran
 */
public record ItemContent(ItemCatalog catalog, TextVectors text) {

  /** Checks the catalogue is there. */
  public ItemContent {
    Objects.requireNonNull(catalog, "catalog");
  }

  /** Metadata only, no text vectors. */
  public static ItemContent of(ItemCatalog catalog) {
    return new ItemContent(catalog, null);
  }
}
