package io.perennial.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The privacy side of the event store, in the same SQLite database and through its writer thread:
 * a user's events exported or deleted, the audit record of each deletion, and the retention purges.
 *
 * <p>A deletion is two transactions. The first deletes the user's events and writes a
 * {@code pending} audit row in one commit, so after a crash at any moment the events are either all
 * there or all gone together with the record that they must be forgotten everywhere. The pending
 * row is the one place that keeps the raw id, because finishing the deletion (the models and their
 * checkpoints) needs it; the second transaction marks the row {@code complete}, adds what was done
 * and erases the raw id. Audit readers only ever get the pseudonym. The store overwrites deleted
 * rows ({@code secure_delete}) and the write-ahead log is truncated after each deletion and purge,
 * so the database files keep no copy of what was deleted.
 */
public final class PrivacyStore {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final EventStore store;

  /** One of the user's events that a deletion removed: its offset and item. */
  public record RemovedEvent(long offset, String item) {}

  /**
   * A deletion whose events are gone from the store.
   *
   * @param id audit record id
   * @param userId the raw id (only while the deletion is pending)
   * @param removed the events removed, in offset order (empty when resumed after a restart)
   */
  public record PendingDeletion(long id, String userId, List<RemovedEvent> removed) {}

  /**
   * An audit record: what a deletion removed, never the raw id.
   *
   * @param id record id
   * @param pseudonym the user's keyed pseudonym (HMAC of the id)
   * @param requestedMillis when the deletion was asked for
   * @param completedMillis when it finished everywhere ({@code null} while pending)
   * @param status {@code pending} or {@code complete}
   * @param eventsRemoved events deleted from the store
   * @param details what was done to the live model and each checkpoint (JSON)
   */
  public record DeletionRecord(long id, String pseudonym, long requestedMillis, Long completedMillis, String status,
      long eventsRemoved, JsonNode details) {}

  /**
   * One retention purge.
   *
   * @param atMillis when it ran
   * @param cutoffSeconds events with a timestamp before this were deleted
   * @param eventsRemoved how many
   */
  public record Purge(long atMillis, long cutoffSeconds, long eventsRemoved) {}

  /** Opens the privacy tables in {@code store}'s database, creating them on first use. */
  public PrivacyStore(EventStore store) {
    this.store = store;
    join(store.write(c -> {
      try (Statement st = c.createStatement()) {
        st.executeUpdate("""
            CREATE TABLE IF NOT EXISTS deletions (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              pseudonym TEXT NOT NULL,
              pending_user_id TEXT,
              requested_ms INTEGER NOT NULL,
              completed_ms INTEGER,
              status TEXT NOT NULL,
              events_removed INTEGER NOT NULL,
              details TEXT NOT NULL)""");
        st.executeUpdate("""
            CREATE TABLE IF NOT EXISTS purges (
              at_ms INTEGER NOT NULL,
              cutoff_ts INTEGER NOT NULL,
              events_removed INTEGER NOT NULL)""");
        st.executeUpdate("CREATE INDEX IF NOT EXISTS events_by_user ON events (user_id)");
        st.executeUpdate("CREATE INDEX IF NOT EXISTS events_by_time ON events (ts)");
      }
      return null;
    }));
  }

  /** Every stored event of {@code userId}, in offset order (an access request's export). */
  public List<StoredEvent> eventsOf(String userId) {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT seq, user_id, item_id, type, value, ts, received_ms FROM events WHERE user_id = ? ORDER BY seq")) {
        ps.setString(1, userId);
        List<StoredEvent> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new StoredEvent(rs.getLong(1), rs.getString(2), rs.getString(3), InteractionType.parse(rs.getString(4)),
                rs.getFloat(5), rs.getLong(6), rs.getLong(7)));
          }
        }
        return out;
      }
    });
  }

  /**
   * Deletes every event of {@code userId} and records a pending deletion, in one transaction.
   *
   * @param pseudonym what the audit record names the user by
   */
  public PendingDeletion beginDeletion(String userId, String pseudonym, long nowMillis) {
    PendingDeletion pending = join(store.write(c -> {
      List<RemovedEvent> removed = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT seq, item_id FROM events WHERE user_id = ? ORDER BY seq")) {
        ps.setString(1, userId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            removed.add(new RemovedEvent(rs.getLong(1), rs.getString(2)));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM events WHERE user_id = ?")) {
        ps.setString(1, userId);
        ps.executeUpdate();
      }
      long id;
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO deletions (pseudonym, pending_user_id, requested_ms, status, events_removed, details) "
              + "VALUES (?, ?, ?, 'pending', ?, '{}')", Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, pseudonym);
        ps.setString(2, userId);
        ps.setLong(3, nowMillis);
        ps.setLong(4, removed.size());
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          keys.next();
          id = keys.getLong(1);
        }
      }
      return new PendingDeletion(id, userId, List.copyOf(removed));
    }));
    store.removed(pending.removed().size());
    return pending;
  }

  /** Marks a deletion complete with what was done, and erases the raw id from its record. */
  public void completeDeletion(long id, JsonNode details, long nowMillis) {
    join(store.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE deletions SET status = 'complete', pending_user_id = NULL, completed_ms = ?, details = ? WHERE id = ?")) {
        ps.setLong(1, nowMillis);
        ps.setString(2, json(details));
        ps.setLong(3, id);
        ps.executeUpdate();
      }
      return null;
    }));
    join(store.truncateLog());
  }

  /** Deletions a crash interrupted after their events were deleted, oldest first. */
  public List<PendingDeletion> pendingDeletions() {
    return store.read(c -> {
      List<PendingDeletion> out = new ArrayList<>();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT id, pending_user_id FROM deletions WHERE status = 'pending' ORDER BY id")) {
        while (rs.next()) {
          out.add(new PendingDeletion(rs.getLong(1), rs.getString(2), List.of()));
        }
      }
      return out;
    });
  }

  /** The audit log, newest first, at most {@code limit} records. */
  public List<DeletionRecord> deletions(int limit) {
    return store.read(c -> {
      List<DeletionRecord> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, pseudonym, requested_ms, completed_ms, status, "
          + "events_removed, details FROM deletions ORDER BY id DESC LIMIT ?")) {
        ps.setInt(1, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long completed = rs.getLong(4);
            Long completedOrNull = rs.wasNull() ? null : completed;
            out.add(new DeletionRecord(rs.getLong(1), rs.getString(2), rs.getLong(3), completedOrNull, rs.getString(5),
                rs.getLong(6), parse(rs.getString(7))));
          }
        }
      }
      return out;
    });
  }

  /** Deletes every event with a timestamp before {@code cutoffSeconds} and records the purge, in one transaction. */
  public Purge purgeOlderThan(long cutoffSeconds, long nowMillis) {
    Purge purge = join(store.write(c -> {
      long removed;
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM events WHERE ts < ?")) {
        ps.setLong(1, cutoffSeconds);
        removed = ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO purges (at_ms, cutoff_ts, events_removed) VALUES (?,?,?)")) {
        ps.setLong(1, nowMillis);
        ps.setLong(2, cutoffSeconds);
        ps.setLong(3, removed);
        ps.executeUpdate();
      }
      return new Purge(nowMillis, cutoffSeconds, removed);
    }));
    store.removed(purge.eventsRemoved());
    if (purge.eventsRemoved() > 0) {
      join(store.truncateLog());
    }
    return purge;
  }

  /** The latest purge, if any ran. */
  public Optional<Purge> lastPurge() {
    return store.read(c -> {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT at_ms, cutoff_ts, events_removed FROM purges ORDER BY rowid DESC LIMIT 1")) {
        return rs.next() ? Optional.of(new Purge(rs.getLong(1), rs.getLong(2), rs.getLong(3))) : Optional.<Purge>empty();
      }
    });
  }

  /** Timestamp (epoch seconds) of the oldest stored event, if any. */
  public Optional<Long> oldestTimestamp() {
    return store.read(c -> {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT min(ts) FROM events")) {
        long ts = rs.next() ? rs.getLong(1) : 0;
        return rs.wasNull() ? Optional.<Long>empty() : Optional.of(ts);
      }
    });
  }

  /** The retention period saved by the admin route, if one was. */
  public Optional<Integer> savedRetentionDays() {
    return store.read(c -> {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT value FROM registry WHERE key = 'retention_days'")) {
        return rs.next() ? Optional.of(rs.getInt(1)) : Optional.<Integer>empty();
      }
    });
  }

  /** Saves the retention period (0 = keep events forever), so a restart keeps it. */
  public void saveRetentionDays(int days) {
    join(store.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry (key, value) VALUES ('retention_days', ?) "
          + "ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
        ps.setInt(1, days);
        ps.executeUpdate();
      }
      return null;
    }));
  }

  /**
   * Records (or clears) that the next server must retrain: a deletion made with no server running
   * left an approximate model as the current version.
   */
  public void setRetrainRequested(boolean requested) {
    join(store.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(requested
          ? "INSERT INTO registry (key, value) VALUES ('retrain_requested', 1) ON CONFLICT(key) DO UPDATE SET value = 1"
          : "DELETE FROM registry WHERE key = 'retrain_requested'")) {
        ps.executeUpdate();
      }
      return null;
    }));
  }

  /** Whether a deletion asked the next server to retrain. */
  public boolean retrainRequested() {
    return store.read(c -> {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT value FROM registry WHERE key = 'retrain_requested'")) {
        return rs.next() && rs.getInt(1) == 1;
      }
    });
  }

  private static String json(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return JSON.createObjectNode();
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new StoreException(e.getMessage(), e);
    }
  }
}
