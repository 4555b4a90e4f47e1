package io.perennial.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.perennial.data.IdIndex;
import io.perennial.model.ModelState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

  @TempDir Path dir;

  private static Checkpoint sample(float first) {
    ModelState state = new ModelState("bpr", JsonNodeFactory.instance.objectNode().put("factors", 2));
    state.put("item_factors", new float[] {first, 2f, -3f, 4.5f}).put("shape", new int[] {1, 2, 2});
    return new Checkpoint(state, IdIndex.of(List.of("alice")), IdIndex.of(List.of("x", "ÿ-unicode")),
        new Provenance(7, "data.csv", 10, 1, 2, 99, "v1", Map.of("ndcg@10", 0.12), "2026-11-22T00:00:00Z", "test"));
  }

  @Test
  void roundTripsEverySection() {
    Path file = dir.resolve("m.pmdl");
    sample(1f).write(file);
    Checkpoint read = Checkpoint.read(file);
    assertThat(read.state().type()).isEqualTo("bpr");
    assertThat(read.state().config().get("factors").asInt()).isEqualTo(2);
    assertThat(read.state().floats("item_factors")).containsExactly(1f, 2f, -3f, 4.5f);
    assertThat(read.state().ints("shape")).containsExactly(1, 2, 2);
    assertThat(read.items().ids()).containsExactly("x", "ÿ-unicode");
    assertThat(read.provenance().lastOffset()).isEqualTo(99);
    assertThat(read.provenance().parentVersion()).isEqualTo("v1");
  }

  @Test
  void floatsAreLittleEndianAfterTheHeader() throws IOException {
    Path file = dir.resolve("m.pmdl");
    sample(1f).write(file);
    byte[] bytes = Files.readAllBytes(file);
    assertThat(new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PRNLMODL");
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(in.getInt(8)).isEqualTo(Checkpoint.FORMAT_VERSION);
    int headerLength = in.getInt(12);
    int firstSection = 16 + headerLength + 4;
    assertThat(in.getFloat(firstSection)).isEqualTo(1f);
    assertThat(in.getFloat(firstSection + 12)).isEqualTo(4.5f);
  }

  @Test
  void truncatedFilesAreRejectedAtEveryLength() throws IOException {
    Path file = dir.resolve("m.pmdl");
    sample(1f).write(file);
    byte[] bytes = Files.readAllBytes(file);
    for (int length = 0; length < bytes.length; length++) {
      Path cut = dir.resolve("cut.pmdl");
      Files.write(cut, Arrays.copyOf(bytes, length));
      int len = length;
      assertThatThrownBy(() -> Checkpoint.read(cut))
          .as("truncated to %d bytes", len)
          .isInstanceOf(CheckpointException.class)
          .hasMessageStartingWith(cut.toString());
    }
    Files.write(dir.resolve("cut.pmdl"), Arrays.copyOf(bytes, bytes.length - 20));
    assertThatThrownBy(() -> Checkpoint.read(dir.resolve("cut.pmdl"))).hasMessageContaining("truncated");
  }

  @Test
  void anyFlippedByteIsDetected() throws IOException {
    Path file = dir.resolve("m.pmdl");
    sample(1f).write(file);
    byte[] bytes = Files.readAllBytes(file);
    for (int p = 0; p < bytes.length; p++) {
      byte[] copy = bytes.clone();
      copy[p] ^= 0x5A;
      Path bad = dir.resolve("bad.pmdl");
      Files.write(bad, copy);
      int position = p;
      assertThatThrownBy(() -> Checkpoint.read(bad)).as("flip at %d", position).isInstanceOf(CheckpointException.class);
    }
  }

  @Test
  void namesTheProblem() throws IOException {
    Path file = dir.resolve("m.pmdl");
    sample(1f).write(file);
    byte[] bytes = Files.readAllBytes(file);
    byte[] payload = bytes.clone();
    int headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
    payload[16 + headerLength + 4 + 1] ^= 1;
    Files.write(file, payload);
    assertThatThrownBy(() -> Checkpoint.read(file)).hasMessageContaining("checksum mismatch in section 'item_factors'");
    Files.writeString(file, "userId,movieId\n1,2\n");
    assertThatThrownBy(() -> Checkpoint.read(file)).hasMessageContaining("not a Perennial model file");
    byte[] future = bytes.clone();
    future[8] = 9;
    Files.write(file, future);
    assertThatThrownBy(() -> Checkpoint.read(file)).hasMessageContaining("unsupported model format version 9");
    assertThatThrownBy(() -> Checkpoint.read(dir.resolve("none.pmdl"))).hasMessageContaining("no such model file");
  }

  @Test
  void aFailedWriteLeavesThePreviousFileIntactAndNoTempFiles() throws IOException {
    Path file = dir.resolve("m.pmdl");
    sample(1f).write(file);
    byte[] before = Files.readAllBytes(file);
    // Crash after the new file is fully written and fsynced, before the rename.
    assertThatThrownBy(() -> sample(9f).write(file, () -> {
      throw new IllegalStateException("simulated crash");
    })).hasMessageContaining("simulated crash");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("m.pmdl");
    }
    sample(5f).write(file);
    assertThat(Checkpoint.read(file).state().floats("item_factors")[0]).isEqualTo(5f);
  }

  @Test
  void exportsNumpyFilesWithTheRightHeader() throws IOException {
    Path npy = dir.resolve("e.npy");
    EmbeddingExport.writeNpy(npy, new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 3, 2);
    byte[] bytes = Files.readAllBytes(npy);
    assertThat(bytes[0]).isEqualTo((byte) 0x93);
    int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    String header = new String(bytes, 10, headerLength, java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(header).contains("'descr': '<f4'").contains("'shape': (3, 2)").endsWith("\n");
    assertThat((10 + headerLength) % 64).isZero();
    assertThat(bytes.length).isEqualTo(10 + headerLength + 24);
    assertThat(ByteBuffer.wrap(bytes, 10 + headerLength + 20, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat()).isEqualTo(6f);
    Path csv = dir.resolve("e.csv");
    EmbeddingExport.writeCsv(csv, IdIndex.of(List.of("a,b", "c", "d")), new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 2);
    assertThat(Files.readAllLines(csv)).containsExactly("id,f0,f1", "\"a,b\",1.000000,2.000000", "c,3.000000,4.000000",
        "d,5.000000,6.000000");
  }
}
