package io.perennial.server.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the OpenAPI 3 document from the route table, so it cannot drift from the router: paths,
 * typed query parameters, request bodies and responses, each body described by a schema under
 * {@code components/schemas}.
 */
final class OpenApi {

  /** Media type of a JSON Lines body: one JSON value per line. */
  static final String NDJSON = "application/x-ndjson";
  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
  private static final String REF = "#/components/schemas/";

  private OpenApi() {}

  static Map<String, Object> document(List<Route> routes) {
    Map<String, Object> paths = new LinkedHashMap<>();
    for (Route r : routes) {
      @SuppressWarnings("unchecked")
      Map<String, Object> path = (Map<String, Object>) paths.computeIfAbsent(r.path(), p -> new LinkedHashMap<>());
      path.put(r.method().name().toLowerCase(Locale.ROOT), operation(r));
    }
    paths.put("/openapi.json", Map.of("get", Map.of("summary", "This document", "security",
        List.of(Map.of("bearer", List.of())), "responses",
        Map.of("200", Map.of("description", "OpenAPI 3 JSON", "content",
            Map.of("application/json", Map.of("schema", Map.of("type", "object"))))))));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("openapi", "3.0.3");
    doc.put("info", Map.of("title", "Perennial", "version", "1",
        "description", "Events in, recommendations out, a model that keeps learning."));
    doc.put("paths", paths);
    doc.put("components", Map.of(
        "securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer")),
        "schemas", schemas()));
    return doc;
  }

  private static Map<String, Object> operation(Route r) {
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("summary", r.summary());
    List<Map<String, Object>> params = new ArrayList<>();
    Matcher m = PARAM.matcher(r.path());
    while (m.find()) {
      String type = m.group(1).equals("version") ? "integer" : "string";
      params.add(Map.of("name", m.group(1), "in", "path", "required", true, "schema", Map.of("type", type)));
    }
    r.params().forEach(q -> params.add(q.openApi()));
    if (!params.isEmpty()) {
      op.put("parameters", params);
    }
    if (!r.request().isEmpty()) {
      Map<String, Object> content = new LinkedHashMap<>();
      r.request().forEach(c -> content.put(c.mediaType(), Map.of("schema", schema(c))));
      op.put("requestBody", Map.of("required", true, "content", content));
    }
    if (r.scope() != null) {
      op.put("security", List.of(Map.of("bearer", List.of())));
      op.put("x-scope", r.scope().name().toLowerCase(Locale.ROOT));
    }
    Map<String, Object> responses = new LinkedHashMap<>();
    responses.put("200", Map.of("description", "success", "content",
        Map.of(r.response().mediaType(), Map.of("schema", schema(r.response())))));
    if (r.path().equals("/v1/models/retrain")) {
      responses.put("202", response("started in the background (without wait=true)", "RetrainResult"));
    }
    responses.put("400", response("invalid request; the body names the field (or the line or offset of a body)", "Error"));
    if (r.scope() != null) {
      responses.put("401", response("missing or unknown API key", "Error"));
      responses.put("403", response("the key's scope does not allow this route", "Error"));
    }
    if (!r.request().isEmpty()) {
      responses.put("413", response("the body or the batch is too large", "Error"));
    }
    responses.put("429", response("rate limit exceeded", "Error"));
    responses.put("503", response("no model loaded yet, or the store could not commit", "Error"));
    op.put("responses", responses);
    return op;
  }

  private static Map<String, Object> response(String description, String schema) {
    return Map.of("description", description, "content", Map.of("application/json", Map.of("schema", ref(schema))));
  }

  private static Map<String, Object> schema(Route.Content c) {
    return c.schema() == null ? Map.of("type", "string") : ref(c.schema());
  }

  private static Map<String, Object> ref(String name) {
    return Map.of("$ref", REF + name);
  }

  private static Map<String, Object> object(List<String> required, Object... nameSchemaPairs) {
    Map<String, Object> props = new LinkedHashMap<>();
    for (int i = 0; i < nameSchemaPairs.length; i += 2) {
      props.put((String) nameSchemaPairs[i], nameSchemaPairs[i + 1]);
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("type", "object");
    if (!required.isEmpty()) {
      o.put("required", required);
    }
    o.put("properties", props);
    return o;
  }

  private static Map<String, Object> type(String type, String description) {
    return Map.of("type", type, "description", description);
  }

  private static Map<String, Object> arrayOf(Object items) {
    return Map.of("type", "array", "items", items);
  }

  /** A number that is {@code null} when the server has no finite value for it. */
  private static Map<String, Object> nullableNumber(String description) {
    return Map.of("type", "number", "nullable", true, "description", description);
  }

  private static Map<String, Object> schemas() {
    Map<String, Object> s = new LinkedHashMap<>();
    Map<String, Object> id = Map.of("oneOf", List.of(
        Map.of("type", "string", "minLength", 1, "maxLength", EventParser.MAX_ID_LENGTH),
        Map.of("type", "integer", "format", "int64")));
    Map<String, Object> event = object(List.of("user", "item", "type"),
        "user", id, "item", id,
        "type", Map.of("type", "string",
            "enum", List.of("view", "click", "add_to_cart", "purchase", "rating", "like", "share")),
        "value", Map.of("type", "number", "minimum", -1e6, "maximum", 1e6,
            "description", "strength or rating (default 1; required for a rating)"),
        "timestamp", Map.of("type", "integer", "format", "int64", "minimum", 0, "maximum", EventParser.MAX_TIMESTAMP,
            "description", "epoch seconds (default: when received)"),
        "id", Map.of("oneOf", List.of(Map.of("type", "string"), Map.of("type", "integer")),
            "description", "client event id: an id stored before is skipped as a duplicate"));
    event.put("additionalProperties", false);
    s.put("Event", event);
    s.put("EventBatch", Map.of("oneOf", List.of(ref("Event"),
        Map.of("type", "array", "minItems", 1, "maxItems", EventParser.MAX_BATCH, "items", ref("Event"))),
        "description", "one event or an array of them; nothing may follow the value"));
    s.put("EventLines", Map.of("type", "string", "description", "JSON Lines (" + NDJSON + "): one Event object per "
        + "line, at most " + EventParser.MAX_BATCH + " lines; blank lines are ignored; errors name the line"));
    s.put("IngestResult", object(List.of("stored", "duplicates", "rejected", "last_offset"),
        "stored", type("integer", "events stored by this request"),
        "duplicates", type("integer", "events skipped because their id was stored before"),
        "rejected", type("integer", "invalid events left out (partial=true only)"),
        "last_offset", type("integer", "store offset of the last event stored"),
        "errors", arrayOf(ref("EventError"))));
    s.put("EventError", object(List.of("field", "message"),
        "index", type("integer", "position in the array (JSON bodies)"),
        "line", type("integer", "line number, from 1 (JSON Lines bodies)"),
        "field", type("string", "the field at fault (empty for the event as a whole)"),
        "message", type("string", "what is wrong")));
    s.put("Error", object(List.of("error", "message"),
        "error", type("string", "machine-readable code, e.g. bad_request, invalid_events, malformed_json"),
        "message", type("string", "what is wrong, for people"),
        "details", arrayOf(Map.of("type", "object", "description",
            "per field, event or position: field, index or line, offset, message"))));
    s.put("ModelInfo", object(List.of("version", "type"),
        "version", type("integer", "registry version of the model that answered"),
        "type", type("string", "algorithm")));
    s.put("ScoredItem", object(List.of("item", "score"), "item", type("string", "item id"),
        "score", nullableNumber("model score (null if not finite)"),
        "metadata", Map.of("allOf", List.of(ref("StoredItem")), "nullable", true,
            "description", "include=items: the item's stored metadata (null when none)")));
    s.put("UserRecommendations", object(List.of("user", "model", "fallback", "items"),
        "user", type("string", "user id"), "model", ref("ModelInfo"),
        "fallback", type("boolean", "true when the list is the popularity fallback"),
        "fallback_reason", type("string", "why the fallback answered"),
        "items", arrayOf(ref("ScoredItem"))));
    s.put("BasketQuery", object(List.of("items"),
        "items", Map.of("type", "array", "maxItems", 1000, "items", id, "description", "the session's items in time "
            + "order, oldest first. The order is passed on to the model: a sequence model (sasrec) reads them as the "
            + "session, the others as a set. An item listed twice counts once, at its last position; unknown ids are "
            + "returned in unknown_items"),
        "k", Map.of("type", "integer", "minimum", 1, "maximum", ApiRoutes.MAX_K, "default", 10)));
    s.put("BasketRecommendations", object(List.of("model", "fallback", "unknown_items", "items"),
        "model", ref("ModelInfo"), "fallback", type("boolean", "true when no basket item is known"),
        "unknown_items", arrayOf(Map.of("type", "string")), "items", arrayOf(ref("ScoredItem"))));
    s.put("SimilarItems", object(List.of("item", "model", "items"), "item", type("string", "item id"),
        "model", ref("ModelInfo"), "items", arrayOf(ref("ScoredItem"))));
    s.put("Explanation", object(List.of("user", "item", "model", "score", "method", "because"),
        "user", type("string", "user id"), "item", type("string", "item id"), "model", ref("ModelInfo"),
        "score", nullableNumber("the model's score for the pair (null if not finite)"),
        "method", type("string", "how the weights are computed"),
        "because", arrayOf(object(List.of("item", "weight"), "item", type("string", "one of the user's items"),
            "weight", nullableNumber("its support for the item")))));
    s.put("ModelVersion", object(List.of("version", "algorithm", "kind", "last_offset", "created"),
        "version", type("integer", "registry version"), "algorithm", type("string", "model type"),
        "kind", Map.of("type", "string", "enum", List.of("initial", "checkpoint", "retrain", "activation", "import")),
        "parent", Map.of("type", "integer", "nullable", true, "description", "version it was updated from"),
        "last_offset", type("integer", "offset of the last event it learned (-1 when none)"),
        "created", Map.of("type", "string", "format", "date-time"),
        "metrics", Map.of("type", "object", "additionalProperties", Map.of("type", "number", "nullable", true)),
        "live", type("boolean", "the running model"),
        "checkpoint_available", type("boolean", "its checkpoint file exists")));
    s.put("ModelList", object(List.of("versions"),
        "live_version", Map.of("type", "integer", "nullable", true), "versions", arrayOf(ref("ModelVersion"))));
    s.put("Activation", object(List.of("live_version", "caught_up"),
        "live_version", type("integer", "the version now live"),
        "caught_up", type("boolean", "whether later events were replayed onto it")));
    s.put("ModelImport", object(List.of("path"),
        "path", type("string", "a .pmdl checkpoint on the server's file system (e.g. spark-train's --out on shared storage)"),
        "replay_after", type("integer", "learn the stored events after this offset onto it before it goes live")));
    s.put("ImportResult", object(List.of("live_version", "users", "items"),
        "live_version", type("integer", "the imported version, now live"),
        "users", type("integer", "users the live model numbers"), "items", type("integer", "items the live model numbers"),
        "replayed_after", Map.of("type", "integer", "nullable", true, "description", "offset replay started after"),
        "source", type("string", "where the checkpoint came from (its provenance)")));
    s.put("RetrainResult", object(List.of("status"),
        "status", Map.of("type", "string", "enum", List.of("started", "live")),
        "version", type("integer", "the retrained version (wait=true)")));
    s.put("LearnerStatus", object(List.of(),
        "strategy", type("string", "update strategy"), "algorithm", type("string", "model type"),
        "offset", type("integer", "offset of the last event learned"),
        "lag_events", type("integer", "events stored but not learned yet"),
        "lag_seconds", nullableNumber("age of the oldest event not learned yet"),
        "updates_accepted", type("integer", "updates that went live"),
        "updates_rejected", type("integer", "updates refused (gated strategies, divergence guard)"),
        "events_applied", type("integer", "events learned since start"),
        "prequential_hr10", nullableNumber("HR@10 of the served model on sampled incoming events"),
        "prequential_tests", type("integer", "events tested"),
        "retraining", type("boolean", "a background retrain is running"),
        "last_checkpoint_millis", type("integer", "epoch milliseconds of the last checkpoint"),
        "visibility", object(List.of(), "events", type("integer", "events measured"),
            "p50", type("integer", "ms from ingest to served"), "p90", type("integer", "ms"),
            "p99", type("integer", "ms"), "p999", type("integer", "ms"), "max", type("integer", "ms"),
            "share_within_one_second", nullableNumber("share visible within one second")),
        "last_error", Map.of("type", "string", "nullable", true)));
    s.put("Stats", object(List.of("events", "users", "items"),
        "events", type("integer", "events stored"), "users", type("integer", "users known"),
        "items", type("integer", "items known"),
        "items_with_metadata", type("integer", "items whose metadata is stored (PUT/POST /v1/items)"),
        "model_version", Map.of("type", "integer", "nullable", true),
        "model_type", Map.of("type", "string", "nullable", true),
        "learner_offset", type("integer", "offset of the last event learned"),
        "store_offset", type("integer", "offset of the last event stored"),
        "search", Map.of("type", "object", "description", "top-K search kind and figures"),
        "search_ready", type("boolean", "the search covers the live model"),
        "retention", ref("Retention")));
    s.put("Series", object(List.of("points"), "points", arrayOf(object(List.of(),
        "t", type("integer", "epoch milliseconds"), "ingest_per_s", nullableNumber("events per second"),
        "lag_events", type("integer", "learner lag"), "p50_ms", nullableNumber("median latency"),
        "p99_ms", nullableNumber("99th percentile latency"), "hr10", nullableNumber("prequential HR@10"),
        "model_version", Map.of("type", "integer", "nullable", true)))));
    s.put("Health", object(List.of("status"),
        "status", Map.of("type", "string", "enum", List.of("live", "ready", "loading")),
        "model_version", type("integer", "live model (ready)"), "message", type("string", "why not ready")));
    s.putAll(ItemRoutes.schemas());
    s.putAll(PrivacyRoutes.schemas());
    return s;
  }
}
