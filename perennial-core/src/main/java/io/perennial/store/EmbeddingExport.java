package io.perennial.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.IdIndex;
import io.perennial.model.FactorModel;
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
 * Writes embedding tables as NumPy {@code .npy} (float32, C order) or CSV ({@code id,f0,f1,…}), and
 * a whole factor model as the files that rebuild its scores ({@link #export}).
 */
public final class EmbeddingExport {

  /** How {@code model.json} states the score the exported files rebuild. */
  static final String SCORE_FORMULA =
      "global_bias + user_bias[u] + item_bias[i] + dot(user_factors[u], item_factors[i])";

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
