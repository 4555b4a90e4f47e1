package io.perennial.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.perennial.server.learn.Forgetting;
import io.perennial.server.learn.Retention;
import io.perennial.server.store.PrivacyStore;
import io.perennial.server.store.StoredEvent;
import io.perennial.server.store.StoreException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data-protection routes, all admin scope: forget a user ({@code DELETE /v1/users/{id}}),
 * export a user's events for an access request, read the deletion audit (pseudonyms only), and
 * read or change the retention period.
 */
public final class PrivacyRoutes {

  private static final QueryParam LIMIT = QueryParam.integer("limit", 1, 10_000, 100, "records to list, newest first");
  private static final QueryParam USER = QueryParam.id("user",
      "only the records of this user id (matched by its pseudonym; the id itself is not stored)");

  private final ObjectMapper json;
  private final PrivacyStore privacy;
  private final Forgetting forgetting;
  private final Retention retention;

  public PrivacyRoutes(ObjectMapper json, PrivacyStore privacy, Forgetting forgetting, Retention retention) {
    this.json = json;
    this.privacy = privacy;
    this.forgetting = forgetting;
    this.retention = retention;
  }

  /** The privacy routes, for {@link ApiRoutes#routes()}. */
  List<Route> routes() {
    return List.of(
        new Route(HandlerType.DELETE, "/v1/users/{id}", Scope.ADMIN,
            "Forget a user: their events leave the store (one transaction), their row and influence leave the live "
                + "model, checkpoints holding them are rewritten or deleted; answers with the audit record's report",
            List.of(), List.of(), Route.Content.json("DeletionReport"), this::forget),
        new Route(HandlerType.GET, "/v1/users/{id}/events", Scope.ADMIN,
            "Every stored event of a user (an access request's export)", List.of(), List.of(),
            Route.Content.json("UserEvents"), this::export),
        new Route(HandlerType.GET, "/v1/privacy/deletions", Scope.ADMIN,
            "The deletion audit, newest first: pseudonymised user, times, what was removed, checkpoints rewritten",
            List.of(LIMIT, USER), List.of(), Route.Content.json("DeletionAudit"), this::audit),
        new Route(HandlerType.GET, "/v1/privacy/retention", Scope.ADMIN,
            "Retention period, oldest event kept and the last purge", List.of(), List.of(),
            Route.Content.json("Retention"), ctx -> ctx.json(retention.status())),
        new Route(HandlerType.PUT, "/v1/privacy/retention", Scope.ADMIN,
            "Change the retention period ({\"days\": N}, 0 keeps events forever); purges at once",
            List.of(), List.of(Route.Content.json("RetentionUpdate")), Route.Content.json("Retention"),
            this::setRetention));
  }

  /** The retention figures {@code /v1/stats} shows on the dashboard. */
  Map<String, Object> retentionStatus() {
    return retention.status();
  }

  private void forget(Context ctx) {
    String user = ApiRoutes.pathId(ctx, "id");
    try {
      ctx.json(forgetting.forget(user));
    } catch (IllegalStateException e) {
      throw new ApiException(503, "not_ready", e.getMessage());
    } catch (StoreException e) {
      throw new ApiException(503, "deletion_incomplete", e.getMessage());
    }
  }

  private void export(Context ctx) {
    String user = ApiRoutes.pathId(ctx, "id");
    List<StoredEvent> events = privacy.eventsOf(user);
    ObjectNode out = json.createObjectNode();
    out.put("user", user);
    out.put("count", events.size());
    out.put("exported_at", Instant.now().toString());
    ArrayNode list = out.putArray("events");
    for (StoredEvent e : events) {
      ObjectNode o = list.addObject();
      o.put("offset", e.offset());
      o.put("item", e.item());
      o.put("type", e.type().wireName());
      o.put("value", e.value());
      o.put("timestamp", e.timestamp());
      o.put("received_at", Instant.ofEpochMilli(e.receivedMillis()).toString());
    }
    ctx.json(out);
  }

  private void audit(Context ctx) {
    ArrayNode list = json.createArrayNode();
    String user = USER.value(ctx);
    if (user != null) {
      try {
        EventParser.checkId("user", user);
      } catch (EventParser.FieldError e) {
        throw ApiRoutes.badField("user", e.getMessage());
      }
    }
    List<PrivacyStore.DeletionRecord> records = user == null ? forgetting.audit(LIMIT.intValue(ctx))
        : forgetting.auditOf(user, LIMIT.intValue(ctx));
    for (PrivacyStore.DeletionRecord r : records) {
      ObjectNode o = list.addObject();
      o.put("id", r.id());
      o.put("user", r.pseudonym());
      o.put("requested_at", Instant.ofEpochMilli(r.requestedMillis()).toString());
      o.put("completed_at", r.completedMillis() == null ? null : Instant.ofEpochMilli(r.completedMillis()).toString());
      o.put("status", r.status());
      o.put("events_removed", r.eventsRemoved());
      o.set("details", r.details());
    }
    ObjectNode out = json.createObjectNode();
    out.set("deletions", list);
    ctx.json(out);
  }

  private void setRetention(Context ctx) {
    JsonNode body = ApiRoutes.readJson(json, ctx, "");
    JsonNode days = body.path("days");
    if (!body.isObject() || !days.canConvertToInt() || !days.isIntegralNumber()) {
      throw ApiRoutes.badField("days", "must be an integer number of days (0 keeps events forever)");
    }
    try {
      var purge = retention.setDays(days.asInt());
      Map<String, Object> out = new LinkedHashMap<>(retention.status());
      out.put("purged_now", purge.map(PrivacyStore.Purge::eventsRemoved).orElse(0L));
      ctx.json(out);
    } catch (IllegalArgumentException e) {
      throw ApiRoutes.badField("days", e.getMessage());
    }
  }

  /** The schemas of the privacy routes' bodies, for {@link OpenApi}. */
  static Map<String, Object> schemas() {
    Map<String, Object> s = new LinkedHashMap<>();
    Map<String, Object> str = Map.of("type", "string");
    Map<String, Object> integer = Map.of("type", "integer");
    s.put("DeletionReport", Map.of("type", "object", "properties", Map.of(
        "deletion_id", integer, "user", Map.of("type", "string", "description", "the keyed pseudonym, never the id"),
        "events_removed", integer,
        "live_model", Map.of("type", "object", "description",
            "version, guarantee (exact or approximate), items_touched, items_recomputed, items_reset_to_prior, method, retrain"),
        "checkpoints", Map.of("type", "array", "items", Map.of("type", "object", "description",
            "version, action (rewritten without the user, deleted, unchanged), guarantee")),
        "guarantee", str)));
    s.put("UserEvents", Map.of("type", "object", "properties", Map.of("user", str, "count", integer,
        "exported_at", str, "events", Map.of("type", "array", "items", Map.of("type", "object", "properties",
            Map.of("offset", integer, "item", str, "type", str, "value", Map.of("type", "number"),
                "timestamp", integer, "received_at", str))))));
    s.put("DeletionAudit", Map.of("type", "object", "properties", Map.of("deletions", Map.of("type", "array", "items",
        Map.of("type", "object", "properties", Map.of("id", integer, "user", str, "requested_at", str,
            "completed_at", Map.of("type", "string", "nullable", true),
            "status", Map.of("type", "string", "enum", List.of("pending", "complete")),
            "events_removed", integer, "details", Map.of("$ref", "#/components/schemas/DeletionReport")))))));
    s.put("Retention", Map.of("type", "object", "properties", Map.of(
        "days", Map.of("type", "integer", "description", "0 keeps events forever"),
        "oldest_event", Map.of("type", "string", "nullable", true, "format", "date-time"),
        "last_purge", Map.of("type", "object", "nullable", true, "properties",
            Map.of("at", str, "cutoff", str, "events_removed", integer)),
        "purged_now", integer)));
    s.put("RetentionUpdate", Map.of("type", "object", "required", List.of("days"), "properties",
        Map.of("days", Map.of("type", "integer", "minimum", 0, "maximum", Retention.MAX_DAYS))));
    return s;
  }
}
