package io.perennial.cli;

import io.perennial.data.IdIndex;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.Recommender;
import io.perennial.model.VectorRetrieval;
import io.perennial.model.quantized.Quantization;
import io.perennial.model.quantized.QuantizedModel;
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

  @Option(names = "--format", defaultValue = "npy", paramLabel = "FMT",
      description = "npy, csv, or pmdl (a model file again: with --quantize int8 or fp16, the compressed checkpoint). "
          + "Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--quantize", defaultValue = "none", paramLabel = "none|int8|fp16",
      description = "int8: write the factor tables as int8 codes with a scale per row (npy: user_codes.npy int8 and "
          + "user_scales.npy float32, the same for items; pmdl: an int8 checkpoint); fp16: as half-precision floats "
          + "(npy: user_factors.npy and item_factors.npy float16; pmdl: an fp16 checkpoint); either prints the size "
          + "against the float form. Default: ${DEFAULT-VALUE}.")
  String quantize;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output folder (created if missing); the file to write for --format pmdl.")
  Path out;

  @Override
  public Integer call() {
    if (!format.equals("npy") && !format.equals("csv") && !format.equals("pmdl")) {
      throw new UserException("--format: expected npy, csv or pmdl, got '" + format + "'");
    }
    Quantization quantization = Quantizing.parse(quantize, null);
    if (quantization != Quantization.NONE && format.equals("csv")) {
      throw new UserException("--quantize " + quantization.label() + " writes .npy tables or a pmdl model file, not csv");
    }
    Checkpoint checkpoint = Checkpoint.read(model);
    if (format.equals("pmdl")) {
      Checkpoint written = quantization != Quantization.NONE
          ? Quantizing.quantize(checkpoint, quantization, System.out) : checkpoint;
      written.write(out);
      System.out.println("wrote " + out);
      return 0;
    }
    Recommender recommender = Algorithms.restore(checkpoint.state());
    if (quantization != Quantization.NONE) {
      if (!(recommender instanceof FactorModel) && !(recommender instanceof QuantizedModel)) {
        throw new UserException(model + ": a " + recommender.type() + " model has no factor tables to quantise "
            + "(--quantize " + quantization.label() + " works for mf, bpr and ials)");
      }
      if (quantization == Quantization.FP16) {
        QuantizedModel fp16;
        try {
          fp16 = QuantizedModel.of(recommender, Quantization.FP16);
        } catch (IllegalArgumentException e) {
          throw new UserException(model + ": --quantize fp16: " + e.getMessage());
        }
        mkdirs(out);
        EmbeddingExport.exportFp16(fp16, checkpoint.users(), checkpoint.items(), out);
        long floats = 4L * fp16.factors() * (fp16.userCount() + fp16.itemCount());
        System.out.printf(java.util.Locale.ROOT, "exported %d users and %d items × %d factors as float16 to %s: %s of "
            + "tables instead of %s in float32 (%.1f %%); model.json has the score formula%n", fp16.userCount(),
            fp16.itemCount(), fp16.factors(), out, Quantizing.bytes(fp16.tableBytes()), Quantizing.bytes(floats),
            100.0 * fp16.tableBytes() / floats);
        return 0;
      }
      QuantizedModel int8 = QuantizedModel.of(recommender);
      mkdirs(out);
      EmbeddingExport.exportInt8(int8, checkpoint.users(), checkpoint.items(), out);
      long floats = 4L * int8.factors() * (int8.userCount() + int8.itemCount());
      System.out.printf(java.util.Locale.ROOT, "exported %d users and %d items × %d factors as int8 codes with a scale "
          + "per row to %s: %s of tables instead of %s in float32 (%.1f %%); model.json has the score formula%n",
          int8.userCount(), int8.itemCount(), int8.factors(), out, Quantizing.bytes(int8.tableBytes()),
          Quantizing.bytes(floats), 100.0 * int8.tableBytes() / floats);
      return 0;
    }
    System.out.println(write(recommender, checkpoint.users(), checkpoint.items(), out,
        format.equals("npy") ? EmbeddingExport.Format.NPY : EmbeddingExport.Format.CSV, model));
    return 0;
  }

  private static void mkdirs(Path out) {
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code recommender}'s embeddings into {@code out} and says what was written. */
  static String write(Recommender recommender, IdIndex users, IdIndex items, Path out, EmbeddingExport.Format format,
      Path source) {
    if (!(recommender instanceof VectorRetrieval)) {
      throw new UserException(source + ": a " + recommender.type() + " model has no embeddings (export works for "
          + "models with item vectors, such as mf, bpr and ials)");
    }
    mkdirs(out);
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
