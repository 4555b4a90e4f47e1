package io.perennial.cli;

import io.perennial.content.CatalogEncoder;
import io.perennial.content.ItemEmbeddings;
import io.perennial.content.ItemText;
import io.perennial.content.MiniLmEncoder;
import io.perennial.data.ItemCatalog;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * How item texts are encoded: the encoder build, the text template, threads and batch size. Mixed
 * into {@code datasets encode}, {@code bench encode} and {@code train --encode-items}.
 */
final class EncodeOptions {

  @Option(names = "--encoder", defaultValue = MiniLmEncoder.QUANTIZED, paramLabel = "NAME",
      description = "Text encoder: " + MiniLmEncoder.QUANTIZED + " (built in) or " + MiniLmEncoder.FULL
          + " (when its jar is on the class path). Default: ${DEFAULT-VALUE}.")
  String encoder;

  @Option(names = "--text-template", paramLabel = "TEMPLATE",
      description = "Item text: {title}, {tags}, {text}, {categories} or any field name ({genres}, {year}), "
          + "{name:N} keeps N values, [...] is dropped when its fields are empty. Default: "
          + "'" + ItemText.DEFAULT_TEMPLATE + "'.")
  String template;

  @Option(names = "--threads", paramLabel = "N", description = "Encoding threads. Default: every core.")
  Integer threads;

  @Option(names = "--batch", defaultValue = "" + CatalogEncoder.DEFAULT_BATCH, paramLabel = "N",
      description = "Texts per encoder call (progress is shown after each). Default: ${DEFAULT-VALUE}.")
  int batch;

  int threadCount() {
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (n < 1) {
      throw new UserException("--threads must be at least 1, got " + n);
    }
    return n;
  }

  ItemText itemText() {
    try {
      return template == null ? ItemText.defaults() : ItemText.parse(template);
    } catch (IllegalArgumentException e) {
      throw new UserException("--text-template: " + e.getMessage());
    }
  }

  /** Starts the encoder (loading the model takes a second or two). */
  MiniLmEncoder start() {
    if (batch < 1) {
      throw new UserException("--batch must be at least 1, got " + batch);
    }
    try {
      return MiniLmEncoder.create(encoder, threadCount());
    } catch (IllegalArgumentException e) {
      throw new UserException("--encoder: " + e.getMessage());
    }
  }

  /** A previous encoding to reuse, or {@code null} when {@code file} is null or does not exist. */
  static ItemEmbeddings cache(Path file) {
    if (file == null || !Files.exists(file)) {
      return null;
    }
    try {
      return ItemEmbeddings.read(file);
    } catch (IllegalArgumentException e) {
      throw new UserException("cache: " + e.getMessage());
    }
  }

  /**
   * Encodes {@code catalog}, reusing {@code cache}, with progress on terminals; prints one summary
   * line.
   */
  CatalogEncoder.Result encode(ItemCatalog catalog, ItemEmbeddings cache, PrintStream out) {
    ItemText text = itemText();
    try (MiniLmEncoder model = start()) {
      CatalogEncoder.Result r = new CatalogEncoder(model, text, batch).encode(catalog, cache, Terminal.encodingProgress(out));
      out.println(summary(r, threadCount()));
      return r;
    }
  }

  static String summary(CatalogEncoder.Result r, int threads) {
    return String.format(Locale.ROOT, "encoded %d item texts in %.1fs (%s texts/s on %d thread%s), reused %d from the cache",
        r.encoded(), r.seconds(), Double.isNaN(r.textsPerSecond()) ? "-" : String.format(Locale.ROOT, "%.1f", r.textsPerSecond()),
        threads, threads == 1 ? "" : "s", r.reused());
  }
}
