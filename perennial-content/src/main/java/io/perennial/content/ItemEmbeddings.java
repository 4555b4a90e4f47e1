package io.perennial.content;

import io.perennial.data.AtomicFile;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Each item's text vector with the hash of the text it came from, and the file that stores them:
 * what a catalogue encoding produces and the cache the next encoding starts from (an item whose
 * text hashes the same is not encoded again).
 *
 * <pre>
 * magic     8 bytes  "PRNLEMBD"
 * version   u32 LE   {@value #FORMAT_VERSION}
 * encoder   u16 LE length + UTF-8 name of the encoder (vectors of another encoder are never reused)
 * dims      u32 LE
 * count     u32 LE
 * entries   count × (u16 LE length + UTF-8 item id, 32-byte SHA-256 of the item text, dims × f32 LE)
 * crc       u32 LE   CRC32C of every byte before it
 * </pre>
 *
 * Writes go to a temporary file in the same folder, are fsynced and renamed over the target (then
 * the folder is fsynced), so a crash mid-write leaves the previous file whole.
 *
 * @param encoder the encoder's {@link TextEncoder#name()}
 * @param dimensions vector length
 * @param ids item ids, in catalogue order
 * @param textHashes SHA-256 of each item's text, 32 bytes each
 * @param vectors row-major, {@code ids.size() × dimensions}
 */
public record ItemEmbeddings(String encoder, int dimensions, List<String> ids, List<byte[]> textHashes, float[] vectors) {

  /** The file format version this code writes and reads. */
  public static final int FORMAT_VERSION = 1;
  private static final byte[] MAGIC = "PRNLEMBD".getBytes(StandardCharsets.US_ASCII);

  /** Checks that the parts agree. */
  public ItemEmbeddings {
    ids = List.copyOf(ids);
    textHashes = List.copyOf(textHashes);
    if (textHashes.size() != ids.size() || (long) ids.size() * dimensions != vectors.length) {
      throw new IllegalArgumentException("embeddings: " + ids.size() + " ids, " + textHashes.size() + " hashes and "
          + vectors.length + " floats do not make " + dimensions + "-dimensional rows");
    }
  }

  /** SHA-256 of the text's UTF-8 bytes: the key a vector is cached under. */
  public static byte[] hash(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** Items held. */
  public int size() {
    return ids.size();
  }

  /** Row {@code i}'s vector (a copy). */
  public float[] vector(int i) {
    return Arrays.copyOfRange(vectors, i * dimensions, (i + 1) * dimensions);
  }

  /** The vector of the item with {@code id}, or {@code null} (a linear search: for many, walk {@link #ids()}). */
  public float[] vectorOf(String id) {
    int i = ids.indexOf(id);
    return i < 0 ? null : vector(i);
  }

  /** Vectors by the hex hash of their text, for reuse: texts that hash the same share one. */
  Map<String, float[]> byTextHash() {
    Map<String, float[]> out = new HashMap<>(ids.size() * 2);
    for (int i = 0; i < ids.size(); i++) {
      out.put(HexFormat.of().formatHex(textHashes.get(i)), vector(i));
    }
    return out;
  }

  /** Writes atomically: temp file, fsync, rename, fsync of the folder. */
  public void write(Path file) {
    try {
      AtomicFile.write(file, ch -> {
        ByteBuffer bytes = ByteBuffer.wrap(encode());
        while (bytes.hasRemaining()) {
          ch.write(bytes);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }


  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + ids.size() * (48 + dimensions * 4));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeInt(Integer.reverseBytes(FORMAT_VERSION));
      writeString(out, encoder);
      out.writeInt(Integer.reverseBytes(dimensions));
      out.writeInt(Integer.reverseBytes(ids.size()));
      ByteBuffer row = ByteBuffer.allocate(dimensions * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < ids.size(); i++) {
        writeString(out, ids.get(i));
        out.write(textHashes.get(i));
        row.clear();
        row.asFloatBuffer().put(vectors, i * dimensions, dimensions);
        out.write(row.array());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] body = bytes.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(body);
    byte[] out = Arrays.copyOf(body, body.length + 4);
    ByteBuffer.wrap(out, body.length, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
    return out;
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException("a string of " + b.length + " bytes does not fit the embeddings file");
    }
    out.writeShort(Short.reverseBytes((short) b.length));
    out.write(b);
  }

  /**
   * Reads and verifies an embeddings file.
   *
   * @throws IllegalArgumentException naming the file and the first problem (missing, not an
   *     embeddings file, another version, truncated, checksum mismatch)
   */
  public static ItemEmbeddings read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such embeddings file");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return decode(file.toString(), bytes);
  }

  static ItemEmbeddings decode(String name, byte[] bytes) {
    if (bytes.length < MAGIC.length + 4 + 4 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
      throw new IllegalArgumentException(name + ": not a Perennial embeddings file");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if ((int) crc.getValue() != stored) {
      throw new IllegalArgumentException(name + ": checksum mismatch (file truncated or corrupt; delete it to encode afresh)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes, 0, bytes.length - 4).order(ByteOrder.LITTLE_ENDIAN);
    in.position(MAGIC.length);
    try {
      int version = in.getInt();
      if (version != FORMAT_VERSION) {
        throw new IllegalArgumentException(name + ": embeddings format version " + version + " (this build reads "
            + FORMAT_VERSION + ")");
      }
      String encoder = readString(in);
      int dims = in.getInt();
      int count = in.getInt();
      if (dims < 1 || count < 0 || (long) count * (dims * 4L + 34) > in.remaining()) {
        throw new IllegalArgumentException(name + ": inconsistent sizes (" + count + " rows of " + dims + ")");
      }
      List<String> ids = new ArrayList<>(count);
      List<byte[]> hashes = new ArrayList<>(count);
      float[] vectors = new float[count * dims];
      for (int i = 0; i < count; i++) {
        ids.add(readString(in));
        byte[] h = new byte[32];
        in.get(h);
        hashes.add(h);
        in.asFloatBuffer().get(vectors, i * dims, dims);
        in.position(in.position() + dims * 4);
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(name + ": " + in.remaining() + " unexpected bytes after the last row");
      }
      return new ItemEmbeddings(encoder, dims, ids, hashes, vectors);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException(name + ": truncated", e);
    }
  }

  private static String readString(ByteBuffer in) {
    int n = Short.toUnsignedInt(in.getShort());
    byte[] b = new byte[n];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
