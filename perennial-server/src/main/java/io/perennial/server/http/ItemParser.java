package io.perennial.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.ItemMetadataJson;
import io.perennial.server.store.ItemStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validates item bodies: one item object, an array of them, or JSON Lines (one per line), each in
 * the {@link ItemMetadataJson} form plus an optional {@code updated} time (epoch milliseconds;
 * default: when received). Problems are reported with the item's position and the member, as
 * {@link EventParser} does for events.
 */
final class ItemParser {

  static final int MAX_BATCH = BulkBody.MAX_BATCH;
  /** The end of year 9999 in milliseconds; later is a unit mistake (microseconds sent, say). */
  static final long MAX_UPDATED_MILLIS = EventParser.MAX_TIMESTAMP * 1000 + 999;
  private static final java.util.Set<String> MEMBERS =
      java.util.Set.of("id", "title", "text", "categories", "numbers", "tags", "updated");

  /**
   * The valid items and the problems found.
   *
   * @param items the valid items, in body order
   * @param errors one entry per invalid item: {index or line, field, message}
   * @param total items in the body, valid or not
   */
  record Parsed(List<ItemStore.Upsert> items, List<Map<String, Object>> errors, int total) {}

  private ItemParser() {}

  /** One item for {@code PUT /v1/items/{id}}; a 400 naming the member at fault. */
  static ItemStore.Upsert parseOne(JsonNode body, String id, long nowMillis) {
    try {
      return item(body, id, nowMillis);
    } catch (ItemMetadataJson.Invalid e) {
      throw ApiRoutes.badField(e.field().isEmpty() ? "body" : e.field(), e.getMessage());
    }
  }

  /** An item object or an array of them. */
  static Parsed parse(JsonNode body, long nowMillis) {
    Validation v = new Validation("index", nowMillis);
    BulkBody.eachValue(body, "item", v);
    return v.result();
  }

  /** JSON Lines: each non-blank line one item object, numbered from 1 (see {@link BulkBody#eachLine}). */
  static Parsed parseLines(ObjectMapper json, byte[] body, long nowMillis) {
    Validation v = new Validation("line", nowMillis);
    BulkBody.eachLine(json, body, "item", v);
    return v.result();
  }

  private static ItemStore.Upsert item(JsonNode node, String id, long nowMillis) {
    if (node != null && node.isObject()) {
      // checked here rather than left to ItemMetadataJson, whose list of members lacks 'updated'
      for (java.util.Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!MEMBERS.contains(name)) {
          throw new ItemMetadataJson.Invalid(name.length() <= 64 ? name : name.substring(0, 64) + "…",
              "unknown field (expected id, title, text, categories, numbers, tags, updated)");
        }
      }
    }
    long updated = nowMillis;
    JsonNode body = node;
    if (node != null && node.isObject() && node.has("updated")) {
      JsonNode u = node.get("updated");
      if (!u.isIntegralNumber() || !u.canConvertToLong()) {
        throw new ItemMetadataJson.Invalid("updated", "must be an integer (epoch milliseconds)");
      }
      updated = u.asLong();
      if (updated < 0 || updated > MAX_UPDATED_MILLIS) {
        throw new ItemMetadataJson.Invalid("updated", "out of range (epoch milliseconds between 1970 and 9999)");
      }
      ObjectNode copy = ((ObjectNode) node).deepCopy();
      copy.remove("updated");
      body = copy;
    }
    return new ItemStore.Upsert(ItemMetadataJson.fromJson(body, id), updated);
  }

  /** Collects valid items and errors, naming each by {@code positionName}. */
  private static final class Validation extends BulkBody.Records {
    private final long nowMillis;
    private final List<ItemStore.Upsert> items = new ArrayList<>();

    Validation(String positionName, long nowMillis) {
      super(positionName);
      this.nowMillis = nowMillis;
    }

    @Override
    void check(int position, JsonNode node) {
      try {
        ItemStore.Upsert u = item(node, null, nowMillis);
        counted();
        items.add(u);
      } catch (ItemMetadataJson.Invalid e) {
        reject(position, e.field(), e.getMessage());
      }
    }

    Parsed result() {
      return new Parsed(items, errors(), total());
    }
  }
}
