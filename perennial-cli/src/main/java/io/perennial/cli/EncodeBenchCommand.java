package io.perennial.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.content.CatalogEncoder;
import io.perennial.content.ItemText;
import io.perennial.content.MiniLmEncoder;
import io.perennial.data.ErrorPolicy;
import io.perennial.data.ItemCatalog;
import io.perennial.data.ItemMetadata;
import io.perennial.model.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code perennial bench encode}: item-text encoding throughput. A cold pass encodes every text
 * (after a short warm-up, so the runtime's first-call costs are not in it); a second pass over the
 * same catalogue with the first pass as its cache must encode nothing, and its time is the cost of
 * rendering and hashing the texts.
 */
@Command(name = "encode", mixinStandardHelpOptions = true,
    description = "Item texts encoded per second by the in-process sentence encoder, and the cost of a cached re-run.")
final class EncodeBenchCommand implements Callable<Integer> {

  @Mixin ItemOptions items = new ItemOptions();
  @Mixin EncodeOptions encoding = new EncodeOptions();

  @Option(names = "--limit", paramLabel = "N", description = "Encode only the first N items. Default: all.")
  Integer limit;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
  Path json;

  /** Texts encoded before timing starts. */
  private static final int WARMUP_TEXTS = 64;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    if (items.items == null) {
      throw new UserException("--items is required: the catalogue to encode (e.g. ml-latest-small's movies.csv)");
    }
    ItemCatalog catalog = items.load(ErrorPolicy.FAIL, out::println);
    if (limit != null) {
      if (limit < 1) {
        throw new UserException("--limit must be at least 1, got " + limit);
      }
      List<ItemMetadata> first = new ArrayList<>(catalog.items()).subList(0, Math.min(limit, catalog.size()));
      catalog = ItemCatalog.of(first);
    }
    ItemText text = encoding.itemText();
    int threads = encoding.threadCount();
    long load0 = System.nanoTime();
    try (MiniLmEncoder model = encoding.start()) {
      double loadSeconds = (System.nanoTime() - load0) / 1e9;
      List<String> warm = new ArrayList<>();
      for (ItemMetadata item : catalog.items()) {
        if (warm.size() == WARMUP_TEXTS) {
          break;
        }
        warm.add("warm-up: " + text.render(item));
      }
      model.encode(warm);
      CatalogEncoder encoder = new CatalogEncoder(model, text, encoding.batch);
      CatalogEncoder.Result cold = encoder.encode(catalog, null, Terminal.encodingProgress(out));
      long w0 = System.nanoTime();
      CatalogEncoder.Result cached = encoder.encode(catalog, cold.embeddings(), TrainingListener.silent());
      double cachedSeconds = (System.nanoTime() - w0) / 1e9;
      double itemsPerSecond = catalog.size() / cold.seconds();
      out.printf(Locale.ROOT, "%s, %d threads, batch %d: %d items (%d distinct texts) in %.1fs: %.1f items/s, %.1f texts/s%n",
          model.name(), threads, encoding.batch, catalog.size(), cold.encoded(), cold.seconds(), itemsPerSecond,
          cold.textsPerSecond());
      out.printf(Locale.ROOT, "cached re-run: %d texts encoded, %d reused, %.3fs; model load %.1fs%n",
          cached.encoded(), cached.reused(), cachedSeconds, loadSeconds);
      if (json != null) {
        ObjectNode root = Json.object();
        root.set("machine", BenchCommand.machine());
        root.put("items_file", items.items.toString());
        root.put("encoder", model.name());
        root.put("dimensions", model.dimensions());
        root.put("template", text.template());
        root.put("threads", threads);
        root.put("batch", encoding.batch);
        root.put("items", catalog.size());
        root.put("texts_encoded", cold.encoded());
        root.put("seconds", cold.seconds());
        Json.putNumber(root, "items_per_second", itemsPerSecond);
        Json.putNumber(root, "texts_per_second", cold.textsPerSecond());
        root.put("cached_rerun_encoded", cached.encoded());
        root.put("cached_rerun_seconds", cachedSeconds);
        root.put("model_load_seconds", loadSeconds);
        Json.write(json, root);
        out.println("wrote " + json);
      }
    }
    return 0;
  }
}
