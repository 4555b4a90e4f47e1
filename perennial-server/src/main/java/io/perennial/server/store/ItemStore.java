package io.perennial.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.ItemMetadata;
import io.perennial.data.ItemMetadataJson;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Item metadata kept durably in the event store's SQLite database (its own table, written through
 * the store's writer thread, so an acknowledged upsert is fsynced like an event). Each item has the
 * time of its update and a version counting its accepted updates; an upsert older than the stored
 * update is refused as stale, so a replayed or late bulk load cannot undo a newer {@code PUT}, and
 * of two updates with the same time the one applied last wins.
 */
public final class ItemStore {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Most ids one {@link #getAll} looks up in one statement (SQLite's bound-parameter limit is higher). */
  private static final int LOOKUP_CHUNK = 500;

  private final EventStore store;

  /** One item as stored: its metadata, when it was last updated and how many updates it has had. */
  public record StoredItem(ItemMetadata item, long updatedMillis, long version) {}

  /** One item to write and the time it is from (epoch milliseconds). */
  public record Upsert(ItemMetadata item, long updatedMillis) {}

  /**
   * Opens the items table in {@code store}'s database, creating it on first use (a store from
   * before item metadata gains the table and keeps its events).
   */
  public ItemStore(EventStore store) {
    this.store = store;
    join(store.write(c -> {
      try (Statement st = c.createStatement()) {
        st.executeUpdate("""
            CREATE TABLE IF NOT EXISTS items (
              item_id TEXT PRIMARY KEY,
              body TEXT NOT NULL,
              updated_ms INTEGER NOT NULL,
              version INTEGER NOT NULL)""");
      }
      return null;
    }));
  }

  /**
   * Queues the upserts for one transaction, in order. The future completes once they are durable,
   * with one flag per upsert: {@code true} when it was stored, {@code false} when the stored item
   * was updated later (stale).
   */
  public CompletableFuture<List<Boolean>> upsert(List<Upsert> items) {
    List<Upsert> copy = List.copyOf(items);
    return store.write(c -> {
      List<Boolean> stored = new ArrayList<>(copy.size());
      try (PreparedStatement ps = c.prepareStatement("""
          INSERT INTO items (item_id, body, updated_ms, version) VALUES (?, ?, ?, 1)
          ON CONFLICT(item_id) DO UPDATE SET body = excluded.body, updated_ms = excluded.updated_ms,
            version = items.version + 1
          WHERE excluded.updated_ms >= items.updated_ms""")) {
        for (Upsert u : copy) {
          ObjectNode body = ItemMetadataJson.toJson(u.item());
          body.remove("id");
          ps.setString(1, u.item().id());
          ps.setString(2, body.toString());
          ps.setLong(3, u.updatedMillis());
          stored.add(ps.executeUpdate() == 1);
        }
      }
      return stored;
    });
  }

  /** The stored item, if any. */
  public Optional<StoredItem> get(String id) {
    return Optional.ofNullable(getAll(List.of(id)).get(id));
  }

  /** The stored items among {@code ids}, by id (ids not stored are absent). */
  public Map<String, StoredItem> getAll(Collection<String> ids) {
    List<String> list = List.copyOf(new java.util.LinkedHashSet<>(ids));
    Map<String, StoredItem> out = new LinkedHashMap<>();
    for (int from = 0; from < list.size(); from += LOOKUP_CHUNK) {
      List<String> chunk = list.subList(from, Math.min(list.size(), from + LOOKUP_CHUNK));
      String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
      out.putAll(store.read(c -> {
        Map<String, StoredItem> found = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT item_id, body, updated_ms, version FROM items WHERE item_id IN (" + marks + ")")) {
          for (int i = 0; i < chunk.size(); i++) {
            ps.setString(i + 1, chunk.get(i));
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              found.put(rs.getString(1), new StoredItem(decode(rs.getString(1), rs.getString(2)), rs.getLong(3), rs.getLong(4)));
            }
          }
        }
        return found;
      }));
    }
    return out;
  }

  /** Items stored. */
  public long count() {
    return store.read(c -> {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  private static ItemMetadata decode(String id, String body) {
    try {
      JsonNode node = JSON.readTree(body);
      return ItemMetadataJson.fromJson(node, id);
    } catch (IOException | ItemMetadataJson.Invalid e) {
      throw new StoreException("stored item '" + id + "' is unreadable: " + e.getMessage(), e);
    }
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while creating the items table");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof StoreException se ? se
          : new StoreException("cannot create the items table: " + e.getCause().getMessage(), e.getCause());
    }
  }
}
