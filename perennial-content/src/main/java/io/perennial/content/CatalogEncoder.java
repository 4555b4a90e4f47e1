package io.perennial.content;

import io.perennial.data.ItemCatalog;
import io.perennial.data.ItemMetadata;
import io.perennial.model.EpochReport;
import io.perennial.model.TrainingListener;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes a catalogue's item texts, reusing the vectors of a previous encoding for every text that
 * has not changed (matched by the SHA-256 of the text, so an edited title re-encodes that item only,
 * and identical texts are encoded once). New texts go to the encoder in batches; progress is
 * reported after each batch through a {@link TrainingListener} (one "epoch" per batch).
 */
public final class CatalogEncoder {

  /** Texts per encoder call: large enough to keep every thread busy, small enough for steady progress. */
  public static final int DEFAULT_BATCH = 256;

  private final TextEncoder encoder;
  private final ItemText template;
  private final int batchSize;

  /**
   * What one encoding did.
   *
   * @param embeddings every item's vector, in catalogue order
   * @param encoded distinct texts the encoder ran on
   * @param reused items whose vector came from the previous encoding
   * @param seconds wall time of the encoder calls
   */
  public record Result(ItemEmbeddings embeddings, int encoded, int reused, double seconds) {

    /** Texts encoded per second of encoder time (NaN when none were). */
    public double textsPerSecond() {
      return encoded == 0 || seconds <= 0 ? Double.NaN : encoded / seconds;
    }
  }

  /**
   * An encoder of item texts.
   *
   * @throws IllegalArgumentException for a batch size below 1
   */
  public CatalogEncoder(TextEncoder encoder, ItemText template, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("the encoding batch size must be at least 1, got " + batchSize);
    }
    this.encoder = encoder;
    this.template = template;
    this.batchSize = batchSize;
  }

  /**
   * Encodes every item of {@code catalog}.
   *
   * @param previous an earlier encoding to reuse (ignored when it came from another encoder), or
   *     {@code null}
   * @param progress told after each batch
   */
  public Result encode(ItemCatalog catalog, ItemEmbeddings previous, TrainingListener progress) {
    int dims = encoder.dimensions();
    Map<String, float[]> known = previous != null && previous.encoder().equals(encoder.name())
        && previous.dimensions() == dims ? previous.byTextHash() : Map.of();
    List<String> ids = new ArrayList<>(catalog.size());
    List<byte[]> hashes = new ArrayList<>(catalog.size());
    List<String> keys = new ArrayList<>(catalog.size());
    // texts to encode, by hash: the first item with a text brings it, later ones share the vector
    Map<String, String> pending = new LinkedHashMap<>();
    int reused = 0;
    for (ItemMetadata item : catalog.items()) {
      String text = template.render(item);
      byte[] h = ItemEmbeddings.hash(text);
      String key = HexFormat.of().formatHex(h);
      ids.add(item.id());
      hashes.add(h);
      keys.add(key);
      if (known.containsKey(key)) {
        reused++;
      } else {
        pending.putIfAbsent(key, text);
      }
    }
    Map<String, float[]> fresh = new LinkedHashMap<>();
    List<Map.Entry<String, String>> todo = new ArrayList<>(pending.entrySet());
    int batches = (todo.size() + batchSize - 1) / batchSize;
    long t0 = System.nanoTime();
    for (int b = 0; b < batches; b++) {
      List<Map.Entry<String, String>> batch = todo.subList(b * batchSize, Math.min(todo.size(), (b + 1) * batchSize));
      List<String> texts = new ArrayList<>(batch.size());
      batch.forEach(e -> texts.add(e.getValue()));
      float[][] vectors = encoder.encode(texts);
      for (int i = 0; i < batch.size(); i++) {
        fresh.put(batch.get(i).getKey(), vectors[i]);
      }
      double elapsed = (System.nanoTime() - t0) / 1e9;
      int done = Math.min(todo.size(), (b + 1) * batchSize);
      progress.onEpoch("encode", new EpochReport(b + 1, batches, Double.NaN, done / Math.max(elapsed, 1e-9), elapsed, Double.NaN));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    float[] matrix = new float[ids.size() * dims];
    for (int i = 0; i < ids.size(); i++) {
      float[] v = fresh.get(keys.get(i));
      if (v == null) {
        v = known.get(keys.get(i));
      }
      System.arraycopy(v, 0, matrix, i * dims, dims);
    }
    return new Result(new ItemEmbeddings(encoder.name(), dims, ids, hashes, matrix), todo.size(), reused, seconds);
  }
}
