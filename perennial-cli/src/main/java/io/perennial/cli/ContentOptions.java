package io.perennial.cli;

import io.perennial.content.ItemEmbeddings;
import io.perennial.data.ItemCatalog;
import io.perennial.model.Algorithms;
import io.perennial.model.Trainer;
import io.perennial.model.content.ContentAware;
import io.perennial.model.content.ItemContent;
import io.perennial.model.content.TextVectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * What the content models ({@code content}, {@code hybrid}) are given: the {@code --items}
 * catalogue and, with {@code --item-vectors}, the text encoder's embeddings. Core never sees the
 * encoder module; it gets the vectors as a {@link TextVectors}.
 */
final class ContentOptions {

  @Option(names = "--item-vectors", paramLabel = "FILE",
      description = "Item text embeddings (.pemb, written by 'datasets encode' or 'train --encode-items') for the "
          + "content and hybrid models' 'text' and 'tfidf+text' features.")
  Path itemVectors;

  /** The content to hand to content trainers, or {@code null} without a catalogue. */
  ItemContent content(ItemCatalog catalog) {
    if (catalog == null) {
      if (itemVectors != null) {
        throw new UserException("--item-vectors needs --items: the catalogue whose items they encode");
      }
      return null;
    }
    return new ItemContent(catalog, itemVectors == null ? null : textVectors(itemVectors));
  }

  /** {@code trainer}, given {@code content} when it needs content; a clear error when there is none. */
  static Trainer withContent(String model, Trainer trainer, ItemContent content) {
    if (!(trainer instanceof ContentAware aware)) {
      return trainer;
    }
    if (content == null && !aware.requiresContent()) {
      return trainer;
    }
    if (content == null) {
      throw new UserException("--model " + model + " needs item metadata: give --items (and --tags), e.g. "
          + "--items movies.csv --tags tags.csv");
    }
    return aware.withContent(content);
  }

  /** Whether {@code model} needs {@code --items}. */
  static boolean needsContent(String model) {
    return Algorithms.needsContent(model);
  }

  private static TextVectors textVectors(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserException("--item-vectors: " + file + ": no such file");
    }
    ItemEmbeddings embeddings;
    try {
      embeddings = ItemEmbeddings.read(file);
    } catch (IllegalArgumentException e) {
      throw new UserException("--item-vectors: " + e.getMessage());
    }
    return textVectors(embeddings);
  }

  /** {@code embeddings} as core's {@link TextVectors}. */
  static TextVectors textVectors(ItemEmbeddings embeddings) {
    Map<String, Integer> row = new HashMap<>(embeddings.size() * 2);
    for (int i = 0; i < embeddings.size(); i++) {
      row.put(embeddings.ids().get(i), i);
    }
    return new TextVectors() {
      @Override
      public int dims() {
        return embeddings.dimensions();
      }

      @Override
      public float[] vectorOf(String itemId) {
        Integer i = row.get(itemId);
        return i == null ? null : embeddings.vector(i);
      }
    };
  }
}
