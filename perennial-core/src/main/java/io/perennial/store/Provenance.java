package io.perennial.store;

import io.perennial.data.Dataset;
import java.time.Instant;
import java.util.Map;

/**
 * Where a model came from.
 *
 * @param seed the training seed
 * @param dataSource file or generator the training data came from
 * @param interactions training events
 * @param firstTimestamp earliest training event, epoch seconds
 * @param lastTimestamp latest training event, epoch seconds
 * @param lastOffset offset of the last event learned (-1 when not from a stream)
 * @param parentVersion version this model was updated from ({@code null} for a fresh training)
 * @param metrics evaluation figures at creation (may be empty)
 * @param createdAt ISO-8601 instant
 * @param engineVersion Perennial version that wrote the model
 */
public record Provenance(
    long seed,
    String dataSource,
    long interactions,
    long firstTimestamp,
    long lastTimestamp,
    long lastOffset,
    String parentVersion,
    Map<String, Double> metrics,
    String createdAt,
    String engineVersion) {

  public Provenance {
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
  }

  /**
   * The provenance of a model freshly trained on all of {@code data}: its size and time window,
   * no stream offset, no parent, no metrics, created now.
   *
   * @param seed the training seed (the config's {@code seed})
   * @param dataSource where the data came from, e.g. the file read
   * @param data the training data
   */
  public static Provenance ofTraining(long seed, String dataSource, Dataset data) {
    String version = Provenance.class.getPackage().getImplementationVersion();
    return new Provenance(seed, dataSource, data.size(), data.log().minTimestamp(), data.log().maxTimestamp(),
        -1, null, Map.of(), Instant.now().toString(), "perennial-core " + (version == null ? "development" : version));
  }
}
