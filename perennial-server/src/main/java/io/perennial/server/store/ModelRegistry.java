package io.perennial.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.store.Checkpoint;
import io.perennial.store.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * Versioned models: each version is a checkpoint file in the data directory plus a row in the
 * store's {@code models} table; the {@code registry} table names the current one. A version is
 * registered only after its file is durable, and activation is one transactional update, so a crash
 * at any point leaves the previous current version loadable.
 */
public final class ModelRegistry {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Double>> METRICS = new TypeReference<>() {};

  private final EventStore store;
  private final DataDirectory dir;

  public ModelRegistry(EventStore store, DataDirectory dir) {
    this.store = store;
    this.dir = dir;
  }

  /**
   * Writes {@code checkpoint} as the next version and records it; makes it current when {@code
   * activate}.
   */
  public ModelVersion register(Checkpoint checkpoint, String kind, Long parent, Map<String, Double> metrics,
      boolean activate) {
    long version = nextVersion();
    checkpoint.write(dir.checkpoint(version));
    ModelVersion mv = new ModelVersion(version, checkpoint.state().type(), kind, parent,
        checkpoint.provenance().lastOffset(), Instant.now().toString(), Map.copyOf(metrics));
    join(store.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO models (version, algorithm, kind, parent, last_offset, created, metrics, provenance) VALUES (?,?,?,?,?,?,?,?)")) {
        ps.setLong(1, mv.version());
        ps.setString(2, mv.algorithm());
        ps.setString(3, kind);
        if (parent == null) {
          ps.setNull(4, java.sql.Types.INTEGER);
        } else {
          ps.setLong(4, parent);
        }
        ps.setLong(5, mv.lastOffset());
        ps.setString(6, mv.created());
        ps.setString(7, json(mv.metrics()));
        ps.setString(8, json(checkpoint.provenance()));
        ps.executeUpdate();
      }
      if (activate) {
        setCurrent(c, version);
      }
      return null;
    }));
    return mv;
  }

  /** Makes {@code version} current in one transaction. */
  public void activate(long version) {
    if (find(version).isEmpty()) {
      throw new IllegalArgumentException("no model version " + version);
    }
    join(store.write(c -> {
      setCurrent(c, version);
      return null;
    }));
  }

  private static void setCurrent(java.sql.Connection c, long version) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO registry (key, value) VALUES ('current', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
      ps.setLong(1, version);
      ps.executeUpdate();
    }
  }

  /** The current version, if any model was registered. */
  public Optional<ModelVersion> current() {
    Long v = store.read(c -> {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT value FROM registry WHERE key = 'current'")) {
        return rs.next() ? rs.getLong(1) : null;
      }
    });
    return v == null ? Optional.empty() : find(v);
  }

  public Optional<ModelVersion> find(long version) {
    List<ModelVersion> found = query("WHERE version = " + version);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /** Every version, newest first. */
  public List<ModelVersion> list() {
    return query("ORDER BY version DESC");
  }

  /** Loads a version's checkpoint. */
  public Checkpoint load(long version) {
    try {
      return Checkpoint.read(dir.checkpoint(version));
    } catch (CheckpointException e) {
      throw new StoreException("model version " + version + " cannot be loaded: " + e.getMessage(), e);
    }
  }

  /**
   * Deletes the checkpoint files of old {@code checkpoint} versions, keeping the newest {@code keep}
   * of them and every version that is current, a retrain or an initial model (their rows stay, as
   * history).
   */
  public void prune(int keep) {
    long current = current().map(ModelVersion::version).orElse(-1L);
    int kept = 0;
    for (ModelVersion mv : list()) {
      if (!mv.kind().equals("checkpoint") || mv.version() == current) {
        continue;
      }
      if (++kept > keep) {
        try {
          Files.deleteIfExists(dir.checkpoint(mv.version()));
        } catch (IOException ignored) {
          // an undeleted old checkpoint costs disk, nothing else
        }
      }
    }
  }

  /**
   * Replaces the checkpoint file of an existing version (atomically: a crash leaves the old file or
   * the new one); its registry row stays as it was.
   */
  public void rewrite(long version, Checkpoint checkpoint) {
    if (find(version).isEmpty()) {
      throw new IllegalArgumentException("no model version " + version);
    }
    checkpoint.write(dir.checkpoint(version));
  }

  /** Deletes the checkpoint file of a version (its row stays, as history); true when there was one. */
  public boolean deleteCheckpoint(long version) {
    try {
      return Files.deleteIfExists(dir.checkpoint(version));
    } catch (IOException e) {
      throw new StoreException("cannot delete the checkpoint of model version " + version + ": " + e.getMessage(), e);
    }
  }

  /** True when the checkpoint file of {@code version} still exists. */
  public boolean hasFile(long version) {
    return Files.exists(dir.checkpoint(version));
  }

  private long nextVersion() {
    return store.read(c -> {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM models")) {
        rs.next();
        return rs.getLong(1) + 1;
      }
    });
  }

  private List<ModelVersion> query(String tail) {
    return store.read(c -> {
      List<ModelVersion> out = new ArrayList<>();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT version, algorithm, kind, parent, last_offset, created, metrics FROM models " + tail)) {
        while (rs.next()) {
          long parent = rs.getLong(4);
          Long parentOrNull = rs.wasNull() ? null : parent;
          out.add(new ModelVersion(rs.getLong(1), rs.getString(2), rs.getString(3), parentOrNull, rs.getLong(5),
              rs.getString(6), parseMetrics(rs.getString(7))));
        }
      }
      return out;
    });
  }

  private static Map<String, Double> parseMetrics(String text) {
    try {
      return new HashMap<>(JSON.readValue(text, METRICS));
    } catch (JsonProcessingException e) {
      return Map.of();
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T join(java.util.concurrent.CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new StoreException(e.getMessage(), e);
    }
  }
}
