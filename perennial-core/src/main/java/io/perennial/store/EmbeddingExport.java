package io.perennial.store;

import io.perennial.data.IdIndex;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes embedding tables as NumPy {@code .npy} (float32, C order) or CSV ({@code id,f0,f1,…}). */
public final class EmbeddingExport {

  private EmbeddingExport() {}

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
