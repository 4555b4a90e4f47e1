package io.perennial.model.content;

import io.perennial.model.Trainer;

/** A trainer that needs item content: the caller hands it over before {@link Trainer#fit}. */
public interface ContentAware {

  /** A trainer like this one that builds its item vectors from {@code content}. */
  Trainer withContent(ItemContent content);

  /** Whether fitting fails without content (false for a trainer that merely passes it on, such as a fusion's). */
  default boolean requiresContent() {
    return true;
  }
}
