package io.perennial.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.IdIndex;
import io.perennial.model.ModelState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A model with its id indexes and provenance, and the file format that stores it.
 *
 * <pre>
 * magic      8 bytes  "PRNLMODL"
 * version    u32 LE   {@value #FORMAT_VERSION}
 * headerLen  u32 LE   length of the header JSON
 * header     UTF-8 JSON {model_type, config, provenance, sections: [{name, kind, count, bytes}]}
 * headerCrc  u32 LE   CRC32C of the header bytes
 * sections   in header order: payload (f32 / i32 little-endian, i8 bytes, or str: u32 length + UTF-8 each)
 *            followed by the u32 LE CRC32C of the payload
 * trailer    8 bytes  "PRNL-END" then u64 LE total file length
 * </pre>
 *
 * Writes go to a temporary file in the same folder, are fsynced and atomically renamed over the
 * target, so a crash mid-write leaves the previous file intact. Reads verify every length and
 * checksum and name the first problem found.
 *
 * @param state the model's parameters ({@code Recommender.state()}; {@code Algorithms.restore} turns
 *     it back into a model)
 * @param users external user ids of the model's dense user indices
 * @param items external item ids of the model's dense item indices
 * @param provenance where the model came from
 */
public record Checkpoint(ModelState state, IdIndex users, IdIndex items, Provenance provenance) {

  /** The file format version this code writes and reads. */
  public static final int FORMAT_VERSION = 1;
  static final byte[] MAGIC = "PRNLMODL".getBytes(StandardCharsets.US_ASCII);
  static final byte[] TRAILER = "PRNL-END".getBytes(StandardCharsets.US_ASCII);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USERS = "ids.users";
  private static final String ITEMS = "ids.items";

  /** Writes atomically: temp file, fsync, rename, fsync of the folder. */
  public void write(Path file) {
    write(file, () -> {});
  }

  /**
   * As {@link #write(Path)}, running {@code beforeRename} once the temporary file is complete:
   * tests inject a crash there to check that the previous file survives.
   */
  void write(Path file, Runnable beforeRename) {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        writeTo(ch);
        ch.force(true);
      }
      beforeRename.run();
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
      fsyncDirectory(dir);
    } catch (IOException e) {
      throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the temp file has a dot name and is harmless
        }
      }
    }
  }

  private static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some platforms cannot open folders; the rename itself is still atomic.
    }
  }

  /** The whole file in memory; for tests that corrupt bytes. */
  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      writeTo(Channels.newChannel(bytes));
    } catch (IOException e) {
      throw new CheckpointException("cannot encode: " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  /**
   * Streams the file through one small buffer. A served model is checkpointed every minute while it
   * takes traffic; assembling the file in memory first meant several heap-sized copies each time,
   * and the collector's work for them showed up in the recommendation p99.
   */
  /**
   * The size of the file {@link #write} would produce, without writing it (to state a compression
   * ratio against another form of the same model).
   */
  public long encodedBytes() {
    return layout().total();
  }

  private record Layout(List<Section> sections, byte[] header, long total) {}

  private Layout layout() {
    List<Section> sections = new ArrayList<>();
    state.floats().forEach((name, values) -> sections.add(Section.floats(name, values)));
    state.ints().forEach((name, values) -> sections.add(Section.ints(name, values)));
    state.bytes().forEach((name, values) -> sections.add(Section.bytes(name, values)));
    sections.add(Section.strings(USERS, users.ids()));
    sections.add(Section.strings(ITEMS, items.ids()));
    ObjectNode header = JSON.createObjectNode();
    header.put("model_type", state.type());
    header.set("config", state.config());
    header.set("provenance", JSON.valueToTree(provenance));
    ArrayNode list = header.putArray("sections");
    long payload = 0;
    for (Section s : sections) {
      list.addObject().put("name", s.name).put("kind", s.kind).put("count", s.count).put("bytes", s.bytes);
      payload += s.bytes + 4L;
    }
    byte[] headerBytes;
    try {
      headerBytes = JSON.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new CheckpointException("cannot encode header: " + e.getMessage(), e);
    }
    long total = MAGIC.length + 4 + 4 + headerBytes.length + 4 + payload + TRAILER.length + 8;
    if (total > Integer.MAX_VALUE - 8) {
      // the reader maps a file into one array
      throw new CheckpointException("model too large for one file (" + total + " bytes)");
    }
    return new Layout(sections, headerBytes, total);
  }

  private void writeTo(WritableByteChannel channel) throws IOException {
    Layout layout = layout();
    List<Section> sections = layout.sections();
    byte[] headerBytes = layout.header();
    long total = layout.total();
    SectionWriter out = new SectionWriter(channel);
    out.put(MAGIC).putInt(FORMAT_VERSION).putInt(headerBytes.length);
    out.beginChecksum();
    out.put(headerBytes);
    out.putInt(out.endChecksum());
    for (Section s : sections) {
      out.beginChecksum();
      s.payload.writeTo(out);
      out.putInt(out.endChecksum());
    }
    out.put(TRAILER).putLong(total);
    out.flush();
  }

  /**
   * Reads and verifies a model file.
   *
   * @throws CheckpointException naming the file and the first problem (missing, not a model file,
   *     unsupported version, truncated, checksum mismatch, inconsistent sections)
   */
  public static Checkpoint read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file + ": no such model file");
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
    }
    return decode(file.toString(), bytes);
  }

  static Checkpoint decode(String name, byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < MAGIC.length + 8) {
      throw new CheckpointException(name + ": not a Perennial model file (only " + bytes.length + " bytes)");
    }
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new CheckpointException(name + ": not a Perennial model file (bad magic)");
    }
    int version = in.getInt();
    if (version != FORMAT_VERSION) {
      throw new CheckpointException(
          name + ": unsupported model format version " + version + " (this build reads " + FORMAT_VERSION + ")");
    }
    int headerLength = in.getInt();
    if (headerLength < 2 || headerLength > in.remaining() - 4) {
      throw new CheckpointException(name + ": truncated or corrupt header (declared " + headerLength
          + " bytes, " + Math.max(0, in.remaining() - 4) + " available)");
    }
    int headerStart = in.position();
    in.position(headerStart + headerLength);
    int headerCrc = in.getInt();
    if (crc(bytes, headerStart, headerLength) != headerCrc) {
      throw new CheckpointException(name + ": header checksum mismatch (file corrupt)");
    }
    JsonNode header;
    try {
      header = JSON.readTree(new String(bytes, headerStart, headerLength, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CheckpointException(name + ": header is not valid JSON", e);
    }
    ModelState state = new ModelState(header.path("model_type").asText(), header.path("config"));
    List<String> users = null;
    List<String> items = null;
    for (JsonNode s : header.path("sections")) {
      String section = s.path("name").asText();
      String kind = s.path("kind").asText();
      long count = s.path("count").asLong(-1);
      long size = s.path("bytes").asLong(-1);
      if (count < 0 || size < 0) {
        throw new CheckpointException(name + ": section '" + section + "' has no size");
      }
      if (size + 4 > in.remaining()) {
        throw new CheckpointException(name + ": truncated: section '" + section + "' needs "
            + (size + 4) + " bytes, " + in.remaining() + " remain");
      }
      int start = in.position();
      in.position(start + (int) size);
      int expected = in.getInt();
      if (crc(bytes, start, (int) size) != expected) {
        throw new CheckpointException(name + ": checksum mismatch in section '" + section + "' (file corrupt)");
      }
      ByteBuffer payload = ByteBuffer.wrap(bytes, start, (int) size).slice().order(ByteOrder.LITTLE_ENDIAN);
      switch (kind) {
        case "f32" -> {
          requireSize(name, section, size, count * 4);
          float[] v = new float[(int) count];
          payload.asFloatBuffer().get(v);
          state.put(section, v);
        }
        case "i32" -> {
          requireSize(name, section, size, count * 4);
          int[] v = new int[(int) count];
          payload.asIntBuffer().get(v);
          state.put(section, v);
        }
        case "i8" -> {
          requireSize(name, section, size, count);
          byte[] v = new byte[(int) count];
          payload.get(v);
          state.put(section, v);
        }
        case "str" -> {
          List<String> strings = readStrings(name, section, payload, count);
          if (section.equals(USERS)) {
            users = strings;
          } else if (section.equals(ITEMS)) {
            items = strings;
          }
        }
        default -> throw new CheckpointException(name + ": section '" + section + "' has unknown kind '" + kind + "'");
      }
    }
    if (in.remaining() != TRAILER.length + 8) {
      throw new CheckpointException(name + ": " + (in.remaining() < TRAILER.length + 8 ? "truncated: trailer missing"
          : "unexpected " + (in.remaining() - TRAILER.length - 8) + " bytes after the last section"));
    }
    byte[] trailer = new byte[TRAILER.length];
    in.get(trailer);
    if (!java.util.Arrays.equals(trailer, TRAILER) || in.getLong() != bytes.length) {
      throw new CheckpointException(name + ": corrupt trailer");
    }
    if (users == null || items == null) {
      throw new CheckpointException(name + ": id sections missing");
    }
    Provenance provenance;
    try {
      provenance = JSON.treeToValue(header.path("provenance"), Provenance.class);
    } catch (IOException e) {
      throw new CheckpointException(name + ": provenance unreadable: " + e.getMessage(), e);
    }
    try {
      return new Checkpoint(state, IdIndex.of(users), IdIndex.of(items), provenance);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(name + ": " + e.getMessage(), e);
    }
  }

  private static void requireSize(String name, String section, long size, long expected) {
    if (size != expected) {
      throw new CheckpointException(name + ": section '" + section + "' is " + size + " bytes, expected " + expected);
    }
  }

  private static List<String> readStrings(String name, String section, ByteBuffer payload, long count) {
    List<String> out = new ArrayList<>((int) Math.min(count, 1 << 20));
    for (long n = 0; n < count; n++) {
      if (payload.remaining() < 4) {
        throw new CheckpointException(name + ": section '" + section + "' ends early");
      }
      int len = payload.getInt();
      if (len < 0 || len > payload.remaining()) {
        throw new CheckpointException(name + ": section '" + section + "' has a bad string length");
      }
      byte[] b = new byte[len];
      payload.get(b);
      out.add(new String(b, StandardCharsets.UTF_8));
    }
    return out;
  }

  static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  /** A section's place in the header and how to stream its payload. */
  private record Section(String name, String kind, long count, long bytes, Payload payload) {
    static Section floats(String name, float[] v) {
      return new Section(name, "f32", v.length, v.length * 4L, out -> out.putFloats(v));
    }

    static Section ints(String name, int[] v) {
      return new Section(name, "i32", v.length, v.length * 4L, out -> out.putInts(v));
    }

    static Section bytes(String name, byte[] v) {
      return new Section(name, "i8", v.length, v.length, out -> out.put(v));
    }

    static Section strings(String name, List<String> values) {
      List<byte[]> encoded = new ArrayList<>(values.size());
      long total = 0;
      for (String s : values) {
        byte[] e = s.getBytes(StandardCharsets.UTF_8);
        encoded.add(e);
        total += 4 + e.length;
      }
      return new Section(name, "str", values.size(), total, out -> {
        for (byte[] e : encoded) {
          out.putInt(e.length).put(e);
        }
      });
    }
  }

  private interface Payload {
    void writeTo(SectionWriter out) throws IOException;
  }

  /**
   * Little-endian writes through a fixed buffer into a channel, with a running CRC32C over the
   * bytes between {@link #beginChecksum} and {@link #endChecksum}.
   */
  private static final class SectionWriter {
    private static final int CAPACITY = 1 << 20;

    private final WritableByteChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(CAPACITY).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    /** Where in the buffer the checksummed bytes start, or -1 outside a checksummed range. */
    private int checksumFrom = -1;

    SectionWriter(WritableByteChannel channel) {
      this.channel = channel;
    }

    void beginChecksum() {
      crc.reset();
      checksumFrom = buffer.position();
    }

    int endChecksum() {
      crc.update(buffer.array(), checksumFrom, buffer.position() - checksumFrom);
      checksumFrom = -1;
      return (int) crc.getValue();
    }

    SectionWriter putInt(int v) throws IOException {
      room(4);
      buffer.putInt(v);
      return this;
    }

    SectionWriter putLong(long v) throws IOException {
      room(8);
      buffer.putLong(v);
      return this;
    }

    SectionWriter put(byte[] bytes) throws IOException {
      int at = 0;
      while (at < bytes.length) {
        room(1);
        int n = Math.min(buffer.remaining(), bytes.length - at);
        buffer.put(bytes, at, n);
        at += n;
      }
      return this;
    }

    void putFloats(float[] v) throws IOException {
      int at = 0;
      while (at < v.length) {
        room(4);
        int n = Math.min(buffer.remaining() / 4, v.length - at);
        buffer.asFloatBuffer().put(v, at, n);
        buffer.position(buffer.position() + n * 4);
        at += n;
      }
    }

    void putInts(int[] v) throws IOException {
      int at = 0;
      while (at < v.length) {
        room(4);
        int n = Math.min(buffer.remaining() / 4, v.length - at);
        buffer.asIntBuffer().put(v, at, n);
        buffer.position(buffer.position() + n * 4);
        at += n;
      }
    }

    void flush() throws IOException {
      if (checksumFrom >= 0) {
        crc.update(buffer.array(), checksumFrom, buffer.position() - checksumFrom);
        checksumFrom = 0;
      }
      buffer.flip();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    private void room(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        flush();
      }
    }
  }
}
