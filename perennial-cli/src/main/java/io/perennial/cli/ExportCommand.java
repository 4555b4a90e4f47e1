package io.perennial.cli;

import io.perennial.data.IdIndex;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.Recommender;
import io.perennial.model.VectorRetrieval;
import io.perennial.store.Checkpoint;
import io.perennial.store.EmbeddingExport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code perennial export}: write a model's embeddings as .npy or CSV. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Export user and item embeddings, biases and model.json (global bias, score formula) as .npy or CSV, with id lists.",
        "A factor model (mf, bpr, ials) gets every term of its score; another embedding model gets the vectors its "
            + "top-K is searched by: item vectors, item bias, and each user's query vector (model.json says whether "
            + "that score is the model's ranking or a proxy it re-ranks)."})
final class ExportCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "Checkpoint written by 'train'.")
  Path model;

  @Option(names = "--format", defaultValue = "npy", paramLabel = "FMT", description = "npy or csv. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (created if missing).")
  Path out;

  @Override
  public Integer call() {
    if (!format.equals("npy") && !format.equals("csv")) {
      throw new UserException("--format: expected npy or csv, got '" + format + "'");
    }
    Checkpoint checkpoint = Checkpoint.read(model);
    Recommender recommender = Algorithms.restore(checkpoint.state());
    System.out.println(write(recommender, checkpoint.users(), checkpoint.items(), out,
        format.equals("npy") ? EmbeddingExport.Format.NPY : EmbeddingExport.Format.CSV, model));
    return 0;
  }

  /** Writes {@code recommender}'s embeddings into {@code out} and says what was written. */
  static String write(Recommender recommender, IdIndex users, IdIndex items, Path out, EmbeddingExport.Format format,
      Path source) {
    if (!(recommender instanceof VectorRetrieval)) {
      throw new UserException(source + ": a " + recommender.type() + " model has no embeddings (export works for "
          + "models with item vectors, such as mf, bpr and ials)");
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
    }
    String as = format == EmbeddingExport.Format.NPY ? "npy" : "csv";
    if (recommender instanceof FactorModel fm) {
      EmbeddingExport.export(fm, users, items, out, format);
      return String.format("exported %d users and %d items × %d factors as %s to %s; model.json has the global bias and"
          + " how to rebuild a score", fm.userCount(), fm.itemCount(), fm.factors(), as, out);
    }
    var retrieval = (Recommender & VectorRetrieval) recommender;
    int queried = EmbeddingExport.exportRetrieval(retrieval, users, items, out, format);
    return String.format("exported %d items × %d dims and the query vectors of %d of %d users as %s to %s; model.json"
        + " has the retrieval score", retrieval.itemCount(), retrieval.retrievalDims(), queried, retrieval.userCount(),
        as, out);
  }
}
