package io.perennial.cli;

import io.perennial.content.CatalogEncoder;
import io.perennial.content.ItemEmbeddings;
import io.perennial.data.ErrorPolicy;
import io.perennial.data.ItemCatalog;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code perennial datasets encode}: every item's text through the in-process encoder into an
 * embeddings file; an existing output (or {@code --cache}) is reused for every unchanged text.
 */
@Command(name = "encode", mixinStandardHelpOptions = true,
    description = "Encode item texts (title, genres, tags, descriptions) with a pretrained sentence encoder, in-process; "
        + "texts already in the output or --cache file are not encoded again.")
final class EncodeCommand implements Callable<Integer> {

  @Mixin ItemOptions items = new ItemOptions();
  @Mixin EncodeOptions encoding = new EncodeOptions();

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Embeddings file to write (e.g. items.pemb).")
  Path out;

  @Option(names = "--cache", paramLabel = "FILE", description = "Earlier embeddings to reuse. Default: --out, when it exists.")
  Path cache;

  @Option(names = "--on-error", defaultValue = "fail", paramLabel = "POLICY",
      description = "Invalid item lines: fail or skip. Default: ${DEFAULT-VALUE}.")
  String onError;

  @Override
  public Integer call() {
    PrintStream stdout = System.out;
    if (items.items == null) {
      throw new UserException("--items is required: the items whose texts to encode");
    }
    ErrorPolicy policy = switch (onError) {
      case "fail" -> ErrorPolicy.FAIL;
      case "skip" -> ErrorPolicy.SKIP;
      default -> throw new UserException("--on-error: expected fail or skip, got '" + onError + "'");
    };
    ItemCatalog catalog = items.load(policy, stdout::println);
    ItemEmbeddings previous = EncodeOptions.cache(cache != null ? cache : out);
    CatalogEncoder.Result r = encoding.encode(catalog, previous, stdout);
    r.embeddings().write(out);
    stdout.println("wrote " + r.embeddings().size() + " vectors of " + r.embeddings().dimensions() + " to " + out);
    return 0;
  }
}
