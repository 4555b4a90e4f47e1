package io.perennial.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.IdIndex;
import io.perennial.kernel.Fp16Table;
import io.perennial.kernel.Int8Table;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.quantized.QuantizedModel;
import io.perennial.model.Recommender;
import io.perennial.model.VectorRetrieval;
import io.perennial.model.mf.MfModel;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Writes embedding tables as NumPy {@code .npy} (float32, C order) or CSV ({@code id,f0,f1,…}), a
 * whole factor model as the files that rebuild its scores ({@link #export}), and any other embedding
 * model as the vectors it is searched by ({@link #exportRetrieval}).
 */
public final class EmbeddingExport {

  /** How {@code model.json} states the score the exported files rebuild. */
  static final String SCORE_FORMULA =
      "global_bias + user_bias[u] + item_bias[i] + dot(user_factors[u], item_factors[i])";

  /** How {@code model.json} states the retrieval score of {@link #exportRetrieval}. */
  static final String RETRIEVAL_FORMULA = "dot(user_queries[u], item_vectors[i]) + item_bias[i]";

  private EmbeddingExport() {}

  /** File formats of {@link #export}. */
  public enum Format {
    /** {@code .npy} tables in row order, plus {@code user_ids.txt} and {@code item_ids.txt}. */
    NPY,
    /** CSV tables whose first column is the external id. */
    CSV
  }

  /**
   * Writes everything {@code model.score(u, i)} is computed from into {@code dir}: the user and
   * item factor tables, the user and item biases (when the algorithm has them; absent terms are 0)
   * and {@code model.json} with the global bias, the formula, and for a rating model the range the
   * score is clipped to. Rows follow {@code users} and {@code items}.
   */
  public static void export(FactorModel model, IdIndex users, IdIndex items, Path dir, Format format) {
    int k = model.factors();
    int userCount = model.userCount();
    int itemCount = model.itemCount();
    float[] userFactors = Arrays.copyOf(model.userFactors(), userCount * k);
    float[] itemFactors = Arrays.copyOf(model.itemFactors(), itemCount * k);
    float[] userBias = model.userBias() == null ? null : Arrays.copyOf(model.userBias(), userCount);
    float[] itemBias = model.itemBias() == null ? null : Arrays.copyOf(model.itemBias(), itemCount);
    if (format == Format.NPY) {
      writeNpy(dir.resolve("user_factors.npy"), userFactors, userCount, k);
      writeNpy(dir.resolve("item_factors.npy"), itemFactors, itemCount, k);
      if (userBias != null) {
        writeNpy(dir.resolve("user_bias.npy"), userBias, userCount, 1);
      }
      if (itemBias != null) {
        writeNpy(dir.resolve("item_bias.npy"), itemBias, itemCount, 1);
      }
      writeIds(dir.resolve("user_ids.txt"), users);
      writeIds(dir.resolve("item_ids.txt"), items);
    } else {
      writeCsv(dir.resolve("user_factors.csv"), users, userFactors, k);
      writeCsv(dir.resolve("item_factors.csv"), items, itemFactors, k);
      if (userBias != null) {
        writeCsv(dir.resolve("user_bias.csv"), users, userBias, 1);
      }
      if (itemBias != null) {
        writeCsv(dir.resolve("item_bias.csv"), items, itemBias, 1);
      }
    }
    writeDescription(dir.resolve("model.json"), model, format, userBias != null, itemBias != null);
  }

  /**
   * Writes the vectors a {@link VectorRetrieval} model's top-K is searched by into {@code dir}: the
   * item vectors, the item bias when it has one, and the query vector of every user the model has
   * one for (for a sequence model, the state after the user's stored sequence), keyed by user id
   * ({@code user_query_ids.txt} in .npy). {@code model.json} states the retrieval score and whether
   * it is the model's own ranking or a proxy the model re-ranks.
   *
   * @return the number of users written (those with a query vector)
   */
  public static <M extends Recommender & VectorRetrieval> int exportRetrieval(M model, IdIndex users, IdIndex items,
      Path dir, Format format) {
    int dims = model.retrievalDims();
    int itemCount = model.itemCount();
    float[] itemVectors = Arrays.copyOf(model.retrievalItemVectors(), itemCount * dims);
    float[] bias = model.retrievalItemBias();
    float[] itemBias = bias == null ? null : Arrays.copyOf(bias, itemCount);
    IdIndex queried = new IdIndex();
    float[] queries = new float[model.userCount() * dims];
    float[] row = new float[dims];
    for (int user = 0; user < model.userCount(); user++) {
      if (model.retrievalQuery(user, row)) {
        System.arraycopy(row, 0, queries, queried.size() * dims, dims);
        queried.getOrAdd(user < users.size() ? users.idOf(user) : Integer.toString(user));
      }
    }
    queries = Arrays.copyOf(queries, queried.size() * dims);
    String ext = format == Format.NPY ? ".npy" : ".csv";
    if (format == Format.NPY) {
      writeNpy(dir.resolve("item_vectors.npy"), itemVectors, itemCount, dims);
      writeNpy(dir.resolve("user_queries.npy"), queries, queried.size(), dims);
      if (itemBias != null) {
        writeNpy(dir.resolve("item_bias.npy"), itemBias, itemCount, 1);
      }
      writeIds(dir.resolve("item_ids.txt"), items);
      writeIds(dir.resolve("user_query_ids.txt"), queried);
    } else {
      writeCsv(dir.resolve("item_vectors.csv"), items, itemVectors, dims);
      writeCsv(dir.resolve("user_queries.csv"), queried, queries, dims);
      if (itemBias != null) {
        writeCsv(dir.resolve("item_bias.csv"), items, itemBias, 1);
      }
    }
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("type", model.type());
    root.put("users", queried.size());
    root.put("items", itemCount);
    root.put("dims", dims);
    root.put("score", RETRIEVAL_FORMULA);
    // Re-ranking with the model's own score is what a proxy retrieval asks for (VectorRetrieval).
    boolean proxy = model.retrievalCandidates(10) > 10;
    root.put("retrieval", proxy ? "proxy: the model proposes candidates by this score and re-ranks them with its full score"
        : "ranking: orders items as the model's score does for each user");
    ObjectNode files = root.putObject("files");
    files.put("user_queries", "user_queries" + ext);
    files.put("item_vectors", "item_vectors" + ext);
    files.put("item_bias", itemBias != null ? "item_bias" + ext : null);
    if (format == Format.NPY) {
      files.put("user_ids", "user_query_ids.txt");
      files.put("item_ids", "item_ids.txt");
    }
    writeJson(dir.resolve("model.json"), root);
    return queried.size();
  }

  private static void writeJson(Path file, ObjectNode root) {
    try {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** {@code model.json}: the global bias, the formula, the clip, and which file holds each term. */
  private static void writeDescription(Path file, FactorModel model, Format format, boolean userBias,
      boolean itemBias) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    String ext = format == Format.NPY ? ".npy" : ".csv";
    ObjectNode root = json.createObjectNode();
    root.put("type", model.type());
    root.put("users", model.userCount());
    root.put("items", model.itemCount());
    root.put("factors", model.factors());
    root.put("global_bias", model.globalBias());
    root.put("score", SCORE_FORMULA);
    ObjectNode files = root.putObject("files");
    files.put("user_factors", "user_factors" + ext);
    files.put("item_factors", "item_factors" + ext);
    files.put("user_bias", userBias ? "user_bias" + ext : null);
    files.put("item_bias", itemBias ? "item_bias" + ext : null);
    if (format == Format.NPY) {
      files.put("user_ids", "user_ids.txt");
      files.put("item_ids", "item_ids.txt");
    }
    if (model instanceof MfModel mf && mf.ratingRange()[0] <= mf.ratingRange()[1]) {
      // predicted ratings are clipped to the training range; rankings use the unclipped score
      root.putArray("score_range").add(mf.ratingRange()[0]).add(mf.ratingRange()[1]);
    } else {
      root.putNull("score_range");
    }
    try {
      json.writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** What a score is computed from in an int8 export. */
  static final String INT8_SCORE_FORMULA = "global_bias + user_bias[u] + item_bias[i]"
      + " + user_scales[u] * dot(user_codes[u], item_codes[i] * item_scales[i])";

  /**
   * Writes an int8 model's tables as they are stored: {@code user_codes.npy} and {@code
   * item_codes.npy} (int8, rows × factors), {@code user_scales.npy} and {@code item_scales.npy}
   * (float32, one per row; a row's values are its codes times its scale), the biases, the id lists
   * and {@code model.json}.
   */
  public static void exportInt8(QuantizedModel model, IdIndex users, IdIndex items, Path dir) {
    if (!(model.userTable() instanceof Int8Table u) || !(model.itemTable() instanceof Int8Table i)) {
      throw new IllegalArgumentException("an int8 export needs int8 tables, not " + model.type());
    }
    writeNpyInt8(dir.resolve("user_codes.npy"), u.codes(), u.rows(), u.dims());
    writeNpyInt8(dir.resolve("item_codes.npy"), i.codes(), i.rows(), i.dims());
    writeNpy(dir.resolve("user_scales.npy"), u.scales(), u.rows(), 1);
    writeNpy(dir.resolve("item_scales.npy"), i.scales(), i.rows(), 1);
    ObjectNode root = writeBiasesAndIds(model, "int8", INT8_SCORE_FORMULA, users, items, dir);
    ObjectNode files = (ObjectNode) root.get("files");
    files.put("user_codes", "user_codes.npy").put("item_codes", "item_codes.npy");
    files.put("user_scales", "user_scales.npy").put("item_scales", "item_scales.npy");
    writeJson(dir.resolve("model.json"), root);
  }

  /** What a score is computed from in an fp16 export. */
  static final String FP16_SCORE_FORMULA = "global_bias + user_bias[u] + item_bias[i] + dot(user_factors[u], item_factors[i])";

  /**
   * Writes an fp16 model's tables as they are stored: {@code user_factors.npy} and {@code
   * item_factors.npy} as float16 ({@code '<f2'}, rows × factors; {@code numpy.load} reads them
   * directly), the biases (float32), the id lists and {@code model.json}.
   */
  public static void exportFp16(QuantizedModel model, IdIndex users, IdIndex items, Path dir) {
    if (!(model.userTable() instanceof Fp16Table u) || !(model.itemTable() instanceof Fp16Table i)) {
      throw new IllegalArgumentException("an fp16 export needs fp16 tables, not " + model.type());
    }
    writeNpyFp16(dir.resolve("user_factors.npy"), u.halves(), u.rows(), u.dims());
    writeNpyFp16(dir.resolve("item_factors.npy"), i.halves(), i.rows(), i.dims());
    ObjectNode root = writeBiasesAndIds(model, "fp16", FP16_SCORE_FORMULA, users, items, dir);
    ObjectNode files = (ObjectNode) root.get("files");
    files.put("user_factors", "user_factors.npy").put("item_factors", "item_factors.npy");
    writeJson(dir.resolve("model.json"), root);
  }

  /**
   * What an int8 and an fp16 export share: the biases (float32) and id lists written beside the
   * tables, and {@code model.json}'s header with its {@code files} member naming them; the caller
   * adds its tables' files and writes the JSON.
   */
  private static ObjectNode writeBiasesAndIds(QuantizedModel model, String form, String formula, IdIndex users,
      IdIndex items, Path dir) {
    ModelState state = model.state();
    boolean userBias = state.floats().containsKey("user_bias");
    boolean itemBias = state.floats().containsKey("item_bias");
    if (userBias) {
      writeNpy(dir.resolve("user_bias.npy"), state.floats("user_bias"), model.userCount(), 1);
    }
    if (itemBias) {
      writeNpy(dir.resolve("item_bias.npy"), state.floats("item_bias"), model.itemCount(), 1);
    }
    writeIds(dir.resolve("user_ids.txt"), users);
    writeIds(dir.resolve("item_ids.txt"), items);
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("type", model.baseType());
    root.put("quantize", form);
    root.put("users", model.userCount());
    root.put("items", model.itemCount());
    root.put("factors", model.factors());
    root.put("global_bias", state.floats("global_bias")[0]);
    root.put("score", formula);
    ObjectNode files = root.putObject("files");
    files.put("user_bias", userBias ? "user_bias.npy" : null).put("item_bias", itemBias ? "item_bias.npy" : null);
    files.put("user_ids", "user_ids.txt").put("item_ids", "item_ids.txt");
    return root;
  }

  /** As {@link #writeNpy} for IEEE half-precision values ({@code '<f2'}, little-endian). */
  public static void writeNpyFp16(Path file, short[] table, int rows, int cols) {
    if ((long) rows * cols != table.length) {
      throw new IllegalArgumentException("table is not " + rows + "×" + cols);
    }
    ByteBuffer data = ByteBuffer.allocate(2 * table.length).order(ByteOrder.LITTLE_ENDIAN);
    data.asShortBuffer().put(table);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(npyHeader("<f2", rows, cols));
      out.write(data.array());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** As {@link #writeNpy} for int8 codes ({@code '|i1'}). */
  public static void writeNpyInt8(Path file, byte[] table, int rows, int cols) {
    if ((long) rows * cols != table.length) {
      throw new IllegalArgumentException("table is not " + rows + "×" + cols);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(npyHeader("|i1", rows, cols));
      out.write(table);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** NumPy format 1.0 preamble and header for a C-order {@code rows × cols} array of {@code descr}. */
  private static byte[] npyHeader(String descr, int rows, int cols) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    int preamble = 10;
    int padded = ((preamble + dict.length() + 1 + 63) / 64) * 64;
    StringBuilder header = new StringBuilder(dict);
    while (preamble + header.length() + 1 < padded) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer pre = ByteBuffer.allocate(preamble + header.length()).order(ByteOrder.LITTLE_ENDIAN);
    pre.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
        .putShort((short) header.length());
    pre.put(header.toString().getBytes(StandardCharsets.US_ASCII));
    return pre.array();
  }

  /**
   * NumPy format 1.0: magic, version, little-endian header length, a Python-dict header padded to a
   * multiple of 64 bytes and ending in a newline, then the raw data.
   */
  public static void writeNpy(Path file, float[] table, int rows, int cols) {
    if ((long) rows * cols != table.length) {
      throw new IllegalArgumentException("table is not " + rows + "×" + cols);
    }
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    int preamble = 10;
    int padded = ((preamble + dict.length() + 1 + 63) / 64) * 64;
    StringBuilder header = new StringBuilder(dict);
    while (preamble + header.length() + 1 < padded) {
      header.append(' ');
    }
    header.append('\n');
    try (OutputStream out = Files.newOutputStream(file)) {
      ByteBuffer pre = ByteBuffer.allocate(preamble).order(ByteOrder.LITTLE_ENDIAN);
      pre.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
          .putShort((short) header.length());
      out.write(pre.array());
      out.write(header.toString().getBytes(StandardCharsets.US_ASCII));
      ByteBuffer data = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : table) {
        if (!data.hasRemaining()) {
          out.write(data.array(), 0, data.position());
          data.clear();
        }
        data.putFloat(v);
      }
      out.write(data.array(), 0, data.position());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** One line per row: external id, then the values. */
  public static void writeCsv(Path file, IdIndex ids, float[] table, int cols) {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("id");
      for (int c = 0; c < cols; c++) {
        out.write(",f" + c);
      }
      out.write('\n');
      int rows = table.length / cols;
      for (int r = 0; r < rows; r++) {
        String id = r < ids.size() ? ids.idOf(r) : Integer.toString(r);
        out.write(id.contains(",") || id.contains("\"") ? '"' + id.replace("\"", "\"\"") + '"' : id);
        for (int c = 0; c < cols; c++) {
          out.write(',');
          out.write(String.format(Locale.ROOT, "%.7g", table[r * cols + c]));
        }
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Writes the ids one per line (the row order of the exported tables). */
  public static void writeIds(Path file, IdIndex ids) {
    try {
      Files.write(file, ids.ids(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
