package io.perennial.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.perennial.data.ItemMetadataJson;
import io.perennial.server.store.ItemStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The item metadata routes: {@code PUT /v1/items/{id}}, bulk {@code POST /v1/items} (ingest scope,
 * the same bodies and limits as events) and {@code GET /v1/items/{id}}; and the {@code
 * include=items} option through which recommendation answers carry each item's metadata.
 */
public final class ItemRoutes {

  private static final QueryParam PARTIAL = QueryParam.bool("partial", false,
      "true to store the valid items of a batch and report the rest");
  /** The {@code include} parameter of the recommendation routes. */
  static final QueryParam INCLUDE = QueryParam.idList("include",
      "extras to attach: 'items' adds each listed item's stored metadata (null when none is stored)");
  private static final int MAX_STALE_LISTED = 100;

  private final ObjectMapper json;
  private final ItemStore items;

  /** Routes over {@code items}, writing JSON with {@code json}. */
  public ItemRoutes(ObjectMapper json, ItemStore items) {
    this.json = json;
    this.items = items;
  }

  /** The item routes, for {@link ApiRoutes#routes()}. */
  List<Route> routes() {
    return List.of(
        new Route(HandlerType.PUT, "/v1/items/{id}", Scope.INGEST,
            "Store an item's metadata (title, text, categories, numbers, tags), replacing what was stored unless "
                + "that was updated later (409); answered once durable",
            List.of(), List.of(Route.Content.json("ItemUpdate")), Route.Content.json("StoredItem"), this::put),
        new Route(HandlerType.POST, "/v1/items", Scope.INGEST,
            "Store many items: one object or an array (application/json), or one per line (" + OpenApi.NDJSON
                + "). Nothing is stored unless every item is valid (or partial=true); stale updates are skipped",
            List.of(PARTIAL), List.of(Route.Content.json("ItemBatch"), new Route.Content(OpenApi.NDJSON, "ItemLines")),
            Route.Content.json("ItemIngestResult"), this::bulk),
        new Route(HandlerType.GET, "/v1/items/{id}", Scope.READ, "An item's stored metadata, update time and version",
            List.of(), List.of(), Route.Content.json("StoredItem"), this::get));
  }

  private void put(Context ctx) {
    String id = ApiRoutes.pathId(ctx, "id");
    JsonNode body = ApiRoutes.readJson(json, ctx, "; nothing was stored. Send one item object");
    ItemStore.Upsert upsert = ItemParser.parseOne(body, id, System.currentTimeMillis());
    boolean stored = commit(List.of(upsert)).get(0);
    ItemStore.StoredItem now = items.get(id).orElseThrow();
    if (!stored) {
      throw new ApiException(409, "stale_update", "item '" + truncate(id) + "' was updated at " + now.updatedMillis()
          + " (epoch ms), after this update's " + upsert.updatedMillis() + "; nothing was stored",
          List.of(Map.of("field", "updated", "message", "older than the stored update")));
    }
    ObjectNode out = represent(now);
    out.put("stored", true);
    ctx.json(out);
  }

  private void bulk(Context ctx) {
    long now = System.currentTimeMillis();
    ItemParser.Parsed parsed = ApiRoutes.isJsonLines(ctx) ? ItemParser.parseLines(json, ApiRoutes.body(ctx), now)
        : ItemParser.parse(ApiRoutes.readJson(json, ctx, "; nothing was stored. Send one item or one array of items, "
            + "or JSON Lines with Content-Type: " + OpenApi.NDJSON), now);
    boolean partial = PARTIAL.booleanValue(ctx);
    if (!parsed.errors().isEmpty() && (!partial || parsed.items().isEmpty())) {
      throw new ApiException(400, "invalid_items", parsed.errors().size() + " of " + parsed.total()
          + " items are invalid; none were stored" + (partial ? "" : " (?partial=true stores the valid ones)"),
          parsed.errors());
    }
    List<Boolean> stored = commit(parsed.items());
    int ok = 0;
    List<String> stale = new ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      if (stored.get(i)) {
        ok++;
      } else if (stale.size() < MAX_STALE_LISTED) {
        stale.add(parsed.items().get(i).item().id());
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("stored", ok);
    out.put("stale", stored.size() - ok);
    out.put("rejected", parsed.errors().size());
    if (!stale.isEmpty()) {
      out.put("stale_items", stale);
    }
    if (!parsed.errors().isEmpty()) {
      out.put("errors", parsed.errors());
    }
    ctx.json(out);
  }

  private void get(Context ctx) {
    String id = ApiRoutes.pathId(ctx, "id");
    ItemStore.StoredItem stored = items.get(id)
        .orElseThrow(() -> ApiException.notFound("no metadata stored for item '" + truncate(id) + "'"));
    ctx.json(represent(stored));
  }

  /** Items whose metadata is stored, for {@code /v1/stats}. */
  long storedCount() {
    return items.count();
  }

  /**
   * {@code list} (of {@code {"item": id, …}} objects) with each entry's stored metadata under
   * {@code metadata} when the request asks {@code include=items}; unchanged otherwise.
   */
  ArrayNode withMetadata(Context ctx, ArrayNode list) {
    String include = INCLUDE.value(ctx);
    if (include == null) {
      return list;
    }
    boolean wantItems = false;
    for (String part : include.split(",", -1)) {
      String p = part.trim();
      if (p.equals("items")) {
        wantItems = true;
      } else {
        throw ApiRoutes.badField("include", "unknown value '" + truncate(p) + "' (expected items)");
      }
    }
    if (!wantItems || list.isEmpty()) {
      return list;
    }
    List<String> ids = new ArrayList<>(list.size());
    list.forEach(o -> ids.add(o.path("item").asText()));
    Map<String, ItemStore.StoredItem> found = items.getAll(ids);
    for (JsonNode o : list) {
      ItemStore.StoredItem s = found.get(o.path("item").asText());
      ((ObjectNode) o).set("metadata", s == null ? null : represent(s));
    }
    return list;
  }

  private ObjectNode represent(ItemStore.StoredItem stored) {
    ObjectNode o = ItemMetadataJson.toJson(stored.item());
    o.put("updated", stored.updatedMillis());
    o.put("updated_at", Instant.ofEpochMilli(stored.updatedMillis()).toString());
    o.put("version", stored.version());
    return o;
  }

  private List<Boolean> commit(List<ItemStore.Upsert> upserts) {
    CompletableFuture<List<Boolean>> done = items.upsert(upserts);
    try {
      return done.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "unavailable", "interrupted before the items were committed; none acknowledged");
    } catch (ExecutionException | TimeoutException e) {
      throw new ApiException(503, "unavailable", "the items could not be committed; none acknowledged");
    }
  }

  private static String truncate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }

  /** The schemas the item routes name, for {@code components/schemas}. */
  static Map<String, Object> schemas() {
    Map<String, Object> s = new LinkedHashMap<>();
    Map<String, Object> text = Map.of("type", "string", "maxLength", io.perennial.data.ItemMetadata.MAX_TEXT_LENGTH);
    Map<String, Object> values = Map.of("type", "array", "maxItems", io.perennial.data.ItemMetadata.MAX_VALUES,
        "items", Map.of("type", "string", "maxLength", io.perennial.data.ItemMetadata.MAX_VALUE_LENGTH));
    Map<String, Object> fieldNames = Map.of("maxProperties", io.perennial.data.ItemMetadata.MAX_FIELDS,
        "description", "field names: 1-" + io.perennial.data.ItemMetadata.MAX_FIELD_NAME
            + " ASCII letters, digits, '_', '-', '.'");
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("type", "object");
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("id", Map.of("oneOf", List.of(Map.of("type", "string", "minLength", 1, "maxLength", EventParser.MAX_ID_LENGTH),
        Map.of("type", "integer", "format", "int64")), "description", "the item id (PUT: optional, must match the path)"));
    props.put("title", text);
    props.put("text", merge(Map.of("type", "object", "additionalProperties", text), fieldNames,
        "free-text fields by name (a description, a plot)"));
    props.put("categories", merge(Map.of("type", "object", "additionalProperties", values), fieldNames,
        "categorical fields by name, each a list of values (genres, brand)"));
    props.put("numbers", merge(Map.of("type", "object", "additionalProperties", Map.of("type", "number")), fieldNames,
        "numeric fields by name (year, price); finite"));
    props.put("tags", values);
    props.put("updated", Map.of("type", "integer", "format", "int64", "minimum", 0, "maximum", ItemParser.MAX_UPDATED_MILLIS,
        "description", "when this version is from, epoch milliseconds (default: when received); an update older "
            + "than the stored one is stale and not stored"));
    item.put("properties", props);
    item.put("additionalProperties", false);
    s.put("ItemUpdate", item);
    Map<String, Object> batchItem = new LinkedHashMap<>(item);
    batchItem.put("required", List.of("id"));
    s.put("ItemInBatch", batchItem);
    s.put("ItemBatch", Map.of("oneOf", List.of(Map.of("$ref", "#/components/schemas/ItemInBatch"),
        Map.of("type", "array", "minItems", 1, "maxItems", ItemParser.MAX_BATCH,
            "items", Map.of("$ref", "#/components/schemas/ItemInBatch"))),
        "description", "one item or an array of them, each with its id; nothing may follow the value"));
    s.put("ItemLines", Map.of("type", "string", "description", "JSON Lines (" + OpenApi.NDJSON + "): one ItemInBatch "
        + "object per line, at most " + ItemParser.MAX_BATCH + " lines; blank lines are ignored; errors name the line"));
    Map<String, Object> storedProps = new LinkedHashMap<>(props);
    storedProps.put("id", Map.of("type", "string"));
    storedProps.put("updated", Map.of("type", "integer", "format", "int64", "description", "epoch milliseconds of this version"));
    storedProps.put("updated_at", Map.of("type", "string", "format", "date-time"));
    storedProps.put("version", Map.of("type", "integer", "description", "updates stored for this item, from 1"));
    storedProps.put("stored", Map.of("type", "boolean", "description", "PUT: the update was stored"));
    s.put("StoredItem", Map.of("type", "object", "required", List.of("id", "updated", "version"), "properties", storedProps));
    s.put("ItemIngestResult", Map.of("type", "object", "required", List.of("stored", "stale", "rejected"), "properties",
        Map.of("stored", Map.of("type", "integer", "description", "items stored by this request"),
            "stale", Map.of("type", "integer", "description", "items skipped because the stored one was updated later"),
            "rejected", Map.of("type", "integer", "description", "invalid items left out (partial=true only)"),
            "stale_items", Map.of("type", "array", "items", Map.of("type", "string"), "description", "the first 100 stale ids"),
            "errors", Map.of("type", "array", "items", Map.of("$ref", "#/components/schemas/EventError")))));
    return s;
  }

  private static Map<String, Object> merge(Map<String, Object> a, Map<String, Object> b, String description) {
    Map<String, Object> out = new LinkedHashMap<>(a);
    out.putAll(b);
    out.put("description", description);
    return out;
  }
}
