package io.perennial.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.FactorModel;
import io.perennial.model.quantized.QuantizedModel;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.UserQuery;
import io.perennial.model.VectorRetrieval;
import io.perennial.server.learn.Learner;
import io.perennial.server.learn.LearnerStatus;
import io.perennial.server.learn.ModelRefusedException;
import io.perennial.server.learn.ServedModel;
import io.perennial.server.learn.SharedIds;
import io.perennial.server.search.TopKSearch;
import io.perennial.server.store.AppendResult;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.ModelRegistry;
import io.perennial.server.store.ModelVersion;
import io.perennial.kernel.VectorOps;
import io.perennial.store.Checkpoint;
import io.perennial.store.CheckpointException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntPredicate;

/** The HTTP API: every route, its scope, and its handler. */
public final class ApiRoutes {

  static final int MAX_K = 1000;
  private final ObjectMapper json;
  private final EventStore store;
  private final ModelRegistry registry;
  private final Learner learner;
  private final ServerMetrics metrics;
  private final TopKSearch search;
  private final ItemRoutes itemRoutes;
  private final PrivacyRoutes privacyRoutes;
  private volatile ServedLog servedLog = ServedLog.NONE;

  public ApiRoutes(ObjectMapper json, EventStore store, ModelRegistry registry, Learner learner, ServerMetrics metrics,
      TopKSearch search, ItemRoutes itemRoutes, PrivacyRoutes privacyRoutes) {
    this.itemRoutes = itemRoutes;
    this.privacyRoutes = privacyRoutes;
    this.json = json;
    this.store = store;
    this.registry = registry;
    this.learner = learner;
    this.metrics = metrics;
    this.search = search;
  }

  private static final QueryParam PARTIAL = QueryParam.bool("partial", false,
      "true to store the valid events of a batch and report the rest");
  private static final QueryParam K = QueryParam.integer("k", 1, MAX_K, 10, "list length");
  private static final QueryParam EXPLAIN_K = QueryParam.integer("k", 1, 100, 5, "items to list");
  private static final QueryParam EXCLUDE_SEEN = QueryParam.bool("excludeSeen", true, "leave out the user's items");
  private static final QueryParam ONLY_ITEMS = QueryParam.idList("items", "comma-separated item ids to choose from");
  private static final QueryParam EXCLUDE_ITEMS = QueryParam.idList("exclude", "comma-separated item ids to leave out");
  private static final QueryParam CATCH_UP = QueryParam.bool("catchUp", false,
      "replay the events stored after that version onto it");
  private static final QueryParam REPLAY_AFTER = QueryParam.integer("replayAfter", -1, Integer.MAX_VALUE, -1,
      "learn the stored events after this offset onto the imported model first (-1: every stored event); "
          + "without it none are replayed");
  private static final QueryParam WAIT = QueryParam.bool("wait", false, "true to answer when it is live");

  /**
   * Reports every recommendation list answered from now on to {@code log}; the answers then carry
   * a {@code request_id} (the client's {@code X-Request-Id} header when it is a valid id).
   */
  public void servedLog(ServedLog log) {
    this.servedLog = log == null ? ServedLog.NONE : log;
  }

  /** Every route the server answers. */
  public List<Route> routes() {
    List<Route> all = new ArrayList<>(coreRoutes());
    all.addAll(1, itemRoutes.routes());
    all.addAll(privacyRoutes.routes());
    return List.copyOf(all);
  }

  private List<Route> coreRoutes() {
    return List.of(
        new Route(HandlerType.POST, "/v1/events", Scope.INGEST,
            "Store one event or an array of events (application/json), or one event per line (" + OpenApi.NDJSON
                + "); answered once they are durable. Nothing is stored unless every event is valid (or partial=true)",
            List.of(PARTIAL), List.of(Route.Content.json("EventBatch"), new Route.Content(OpenApi.NDJSON, "EventLines")),
            Route.Content.json("IngestResult"), this::ingest),
        new Route(HandlerType.GET, "/v1/users/{id}/recommendations", Scope.READ,
            "Top-K items for a user (unknown users get the popularity fallback)",
            List.of(K, EXCLUDE_SEEN, ONLY_ITEMS, EXCLUDE_ITEMS, ItemRoutes.INCLUDE), List.of(), Route.Content.json("UserRecommendations"),
            this::recommendForUser),
        new Route(HandlerType.GET, "/v1/users/{id}/recommendations/{item}/explain", Scope.READ,
            "Which of the user's items drove a recommendation", List.of(EXPLAIN_K), List.of(),
            Route.Content.json("Explanation"), this::explain),
        new Route(HandlerType.GET, "/v1/items/{id}/similar", Scope.READ, "Items most similar to an item",
            List.of(K, ItemRoutes.INCLUDE), List.of(), Route.Content.json("SimilarItems"), this::similar),
        new Route(HandlerType.POST, "/v1/recommendations", Scope.READ,
            "Top-K for an anonymous session or basket: {\"items\": [...], \"k\": 10}, items oldest first: the "
                + "order is kept, and a sequence model (sasrec) reads it as the session's time order", List.of(ItemRoutes.INCLUDE),
            List.of(Route.Content.json("BasketQuery")), Route.Content.json("BasketRecommendations"),
            this::recommendForBasket),
        new Route(HandlerType.GET, "/v1/models", Scope.READ, "Model versions with provenance and metrics", List.of(),
            List.of(), Route.Content.json("ModelList"), this::models),
        new Route(HandlerType.POST, "/v1/models/{version}/activate", Scope.ADMIN,
            "Make a version the running model (rollback)", List.of(CATCH_UP), List.of(),
            Route.Content.json("Activation"), this::activate),
        new Route(HandlerType.POST, "/v1/models/import", Scope.ADMIN,
            "Import a checkpoint trained elsewhere (spark-train, train) as a new live version that keeps learning "
                + "online: {\"path\": FILE} on the server's file system, or the .pmdl bytes as "
                + "application/octet-stream (within --max-body); it must pass the health check",
            List.of(REPLAY_AFTER), List.of(Route.Content.json("ModelImport"),
                new Route.Content("application/octet-stream", null)),
            Route.Content.json("ImportResult"), this::importModel),
        new Route(HandlerType.POST, "/v1/models/retrain", Scope.ADMIN,
            "Start a full retrain in the background; it goes live once caught up", List.of(WAIT), List.of(),
            Route.Content.json("RetrainResult"), this::retrain),
        new Route(HandlerType.GET, "/v1/learner", Scope.READ,
            "Strategy, lag in events and seconds, updates accepted and rejected", List.of(), List.of(),
            Route.Content.json("LearnerStatus"), this::learnerStatus),
        new Route(HandlerType.GET, "/v1/stats", Scope.READ,
            "Events stored, users, items, live model version and the learner's offset", List.of(), List.of(),
            Route.Content.json("Stats"), this::stats),
        new Route(HandlerType.GET, "/v1/series", Scope.READ,
            "Dashboard time series: ingest rate, learner lag, request latency, prequential HR@10", List.of(), List.of(),
            Route.Content.json("Series"), ctx -> ctx.json(metrics.series())),
        new Route(HandlerType.GET, "/health/live", null, "The process is up", List.of(), List.of(),
            Route.Content.json("Health"), ctx -> ctx.json(Map.of("status", "live"))),
        new Route(HandlerType.GET, "/health/ready", null, "A model is loaded and requests can be served", List.of(),
            List.of(), Route.Content.json("Health"), this::ready),
        new Route(HandlerType.GET, "/metrics", Scope.READ, "Prometheus metrics", List.of(), List.of(),
            new Route.Content("text/plain", null),
            ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape())));
  }

  private void ready(Context ctx) {
    if (learner.ready()) {
      ctx.json(Map.of("status", "ready", "model_version", learner.served().version()));
    } else {
      ctx.status(503).json(Map.of("status", "loading", "message", "no model loaded yet"));
    }
  }

  private void ingest(Context ctx) {
    long now = System.currentTimeMillis() / 1000;
    EventParser.Parsed parsed = isJsonLines(ctx) ? EventParser.parseLines(json, body(ctx), now)
        : EventParser.parse(readJson(ctx, "; nothing was stored. Send one event or one array of events, or JSON Lines "
            + "with Content-Type: " + OpenApi.NDJSON), now);
    boolean partial = PARTIAL.booleanValue(ctx);
    if (!parsed.errors().isEmpty() && (!partial || parsed.events().isEmpty())) {
      metrics.rejectedEvents(parsed.errors().size());
      throw new ApiException(400, "invalid_events", parsed.errors().size() + " of " + parsed.total()
          + " events are invalid; none were stored" + (partial ? "" : " (?partial=true stores the valid ones)"),
          parsed.errors());
    }
    AppendResult result;
    try {
      result = store.append(parsed.events()).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "unavailable", "interrupted before the events were committed; none acknowledged");
    } catch (ExecutionException | TimeoutException e) {
      throw new ApiException(503, "unavailable", "the events could not be committed; none acknowledged");
    }
    metrics.ingested(result.stored(), parsed.errors().size());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("stored", result.stored());
    out.put("duplicates", result.duplicates());
    out.put("rejected", parsed.errors().size());
    out.put("last_offset", result.lastOffset());
    if (!parsed.errors().isEmpty()) {
      out.put("errors", parsed.errors());
    }
    ctx.status(200).json(out);
  }

  private void recommendForUser(Context ctx) {
    String userId = pathId(ctx, "id");
    int k = K.intValue(ctx);
    boolean excludeSeen = EXCLUDE_SEEN.booleanValue(ctx);
    ServedModel served = served();
    SharedIds items = learner.items();
    IntPredicate filter = filter(ctx, items);
    int user = learner.users().indexOf(userId);
    long t0 = System.nanoTime();
    Answer a = served.read(m -> {
      boolean known = user >= 0 && user < m.userCount();
      Recommendations r = known ? search.recommend(m, user, k, excludeSeen, filter) : m.recommend(-1, k, false, filter);
      return new Answer(r, known ? (r.fallback() ? "the user has no history yet" : null) : "unknown user");
    });
    metrics.recommendation(System.nanoTime() - t0);
    ObjectNode out = json.createObjectNode();
    out.put("user", userId);
    modelInfo(out, served);
    out.put("fallback", a.recommendations.fallback());
    if (a.fallbackReason != null && a.recommendations.fallback()) {
      out.put("fallback_reason", a.fallbackReason + ": most popular items");
    }
    out.set("items", itemRoutes.withMetadata(ctx, itemList(a.recommendations, items)));
    logServed(ctx, out, "/v1/users/{id}/recommendations", userId, null, served, a.recommendations, items);
    ctx.json(out);
  }

  /** Gives the answer its request id and reports it to the served log, when one is set. */
  private void logServed(Context ctx, ObjectNode out, String route, String user, String subject, ServedModel served,
      Recommendations r, SharedIds items) {
    ServedLog log = servedLog;
    if (!log.enabled()) {
      return;
    }
    String requestId = requestId(ctx);
    out.put("request_id", requestId);
    ctx.header("X-Request-Id", requestId);
    String[] ids = new String[r.size()];
    for (int p = 0; p < ids.length; p++) {
      ids[p] = items.idOf(r.ids()[p]);
    }
    log.served(new ServedLog.Served(requestId, route, user, subject, served.version(), r.fallback(), ids,
        java.util.Arrays.copyOf(r.scores(), r.size()), System.currentTimeMillis()));
  }

  /** The client's X-Request-Id when it is an id (1–128 printable ASCII characters), else a new UUID. */
  static String requestId(Context ctx) {
    String given = ctx.header("X-Request-Id");
    if (given != null && !given.isEmpty() && given.length() <= 128 && given.chars().allMatch(c -> c > 32 && c < 127)) {
      return given;
    }
    return java.util.UUID.randomUUID().toString();
  }

  private record Answer(Recommendations recommendations, String fallbackReason) {}

  private void recommendForBasket(Context ctx) {
    JsonNode body = readJson(ctx, "");
    if (!body.isObject() || !body.path("items").isArray()) {
      throw ApiException.badRequest("body must be {\"items\": [item ids], \"k\": n}");
    }
    int k = 10;
    if (body.has("k")) {
      if (!body.get("k").canConvertToInt() || body.get("k").asInt() < 1 || body.get("k").asInt() > MAX_K) {
        throw badField("k", "must be an integer between 1 and " + MAX_K);
      }
      k = body.get("k").asInt();
    }
    if (body.get("items").size() > 1000) {
      throw badField("items", "at most 1000 items");
    }
    SharedIds items = learner.items();
    List<Integer> known = new ArrayList<>();
    ArrayNode unknown = json.createArrayNode();
    for (JsonNode item : body.get("items")) {
      if (!item.isTextual() && !item.isIntegralNumber()) {
        throw badField("items", "item ids must be strings or integers");
      }
      String id = item.asText();
      int i = items.indexOf(id);
      if (i >= 0) {
        known.add(i);
      } else {
        unknown.add(truncate(id));
      }
    }
    int kk = k;
    ServedModel served = served();
    Recommendations r = served.read(m -> {
      int[] basket = inRequestOrder(known, m.itemCount());
      if (basket.length == 0) {
        return m.recommend(-1, kk, false, null);
      }
      float[] values = new float[basket.length];
      java.util.Arrays.fill(values, 1f);
      UserQuery q = m.foldInUser(basket, values);
      return m.recommend(q, kk, null);
    });
    ObjectNode out = json.createObjectNode();
    modelInfo(out, served);
    out.put("fallback", r.fallback());
    out.set("unknown_items", unknown);
    out.set("items", itemRoutes.withMetadata(ctx, itemList(r, items)));
    logServed(ctx, out, "/v1/recommendations", null, null, served, r, items);
    ctx.json(out);
  }

  /**
   * The basket's known items in the order the request lists them, which a sequence model (SASRec)
   * reads as time order; an item listed twice counts once, at its last position (its latest use).
   */
  static int[] inRequestOrder(List<Integer> items, int itemCount) {
    BitSet later = new BitSet();
    int[] kept = new int[items.size()];
    int n = 0;
    for (int p = items.size() - 1; p >= 0; p--) {
      int item = items.get(p);
      if (item < itemCount && !later.get(item)) {
        later.set(item);
        kept[n++] = item;
      }
    }
    int[] ordered = new int[n];
    for (int p = 0; p < n; p++) {
      ordered[p] = kept[n - 1 - p];
    }
    return ordered;
  }

  private void similar(Context ctx) {
    String itemId = pathId(ctx, "id");
    int k = K.intValue(ctx);
    SharedIds items = learner.items();
    int item = items.indexOf(itemId);
    ServedModel served = served();
    Recommendations r = served.read(m -> item >= 0 && item < m.itemCount() ? m.similarItems(item, k) : null);
    if (r == null) {
      throw ApiException.notFound("unknown item '" + truncate(itemId) + "'");
    }
    ObjectNode out = json.createObjectNode();
    out.put("item", itemId);
    modelInfo(out, served);
    out.set("items", itemRoutes.withMetadata(ctx, itemList(r, items)));
    logServed(ctx, out, "/v1/items/{id}/similar", null, itemId, served, r, items);
    ctx.json(out);
  }

  private void explain(Context ctx) {
    String userId = pathId(ctx, "id");
    String itemId = pathId(ctx, "item");
    int k = EXPLAIN_K.intValue(ctx);
    int user = learner.users().indexOf(userId);
    int item = learner.items().indexOf(itemId);
    ServedModel served = served();
    ObjectNode out = json.createObjectNode();
    out.put("user", userId);
    out.put("item", itemId);
    modelInfo(out, served);
    ArrayNode because = served.read(m -> {
      if (user < 0 || user >= m.userCount()) {
        throw ApiException.notFound("unknown user '" + truncate(userId) + "'");
      }
      if (item < 0 || item >= m.itemCount()) {
        throw ApiException.notFound("unknown item '" + truncate(itemId) + "'");
      }
      out.put("score", m.score(user, item));
      return contributions(m, user, item, k);
    });
    out.put("method", served.model() instanceof FactorModel ? "cosine similarity of item factors × interaction weight"
        : served.model() instanceof VectorRetrieval ? "cosine similarity of item embeddings × interaction weight"
        : "item-to-item similarity × interaction weight");
    out.set("because", because);
    ctx.json(out);
  }

  /** The user's items ranked by how much each supports {@code item}. */
  private ArrayNode contributions(Recommender m, int user, int item, int k) {
    ArrayNode list = json.createArrayNode();
    if (!(m instanceof AbstractRecommender ar)) {
      return list;
    }
    int[] hist = ar.history().items(user);
    float[] vals = ar.history().values(user);
    float[] weight = new float[hist.length];
    if (m instanceof VectorRetrieval vr) {
      int f = vr.retrievalDims();
      float[] q = vr.retrievalItemVectors();
      float ni = VectorOps.norm(q, item * f, f);
      for (int h = 0; h < hist.length; h++) {
        float nj = VectorOps.norm(q, hist[h] * f, f);
        float cos = ni == 0 || nj == 0 ? 0 : VectorOps.dot(q, item * f, q, hist[h] * f, f) / (ni * nj);
        weight[h] = cos * vals[h];
      }
    } else {
      Recommendations sim = m.similarItems(item, 500);
      Map<Integer, Float> s = new java.util.HashMap<>();
      for (int p = 0; p < sim.size(); p++) {
        s.put(sim.ids()[p], sim.scores()[p]);
      }
      for (int h = 0; h < hist.length; h++) {
        weight[h] = s.getOrDefault(hist[h], 0f) * vals[h];
      }
    }
    Integer[] order = new Integer[hist.length];
    for (int h = 0; h < hist.length; h++) {
      order[h] = h;
    }
    java.util.Arrays.sort(order, (a, b) -> Float.compare(weight[b], weight[a]));
    SharedIds items = learner.items();
    for (int p = 0; p < Math.min(k, order.length); p++) {
      if (hist[order[p]] == item) {
        continue;
      }
      ObjectNode o = list.addObject();
      o.put("item", items.idOf(hist[order[p]]));
      o.put("weight", weight[order[p]]);
    }
    return list;
  }

  private void models(Context ctx) {
    ServedModel served = learner.served();
    ArrayNode list = json.createArrayNode();
    for (ModelVersion mv : registry.list()) {
      ObjectNode o = json.valueToTree(mv);
      o.put("live", served != null && served.version() == mv.version());
      o.put("checkpoint_available", registry.hasFile(mv.version()));
      list.add(o);
    }
    ObjectNode out = json.createObjectNode();
    out.put("live_version", served == null ? null : served.version());
    out.set("versions", list);
    ctx.json(out);
  }

  private void activate(Context ctx) {
    long version;
    try {
      version = Long.parseLong(ctx.pathParam("version"));
    } catch (NumberFormatException e) {
      throw badField("version", "must be an integer model version");
    }
    if (registry.find(version).isEmpty()) {
      throw ApiException.notFound("no model version " + version);
    }
    boolean catchUp = CATCH_UP.booleanValue(ctx);
    try {
      ModelVersion mv = learner.activate(version, catchUp).get(5, TimeUnit.MINUTES);
      ctx.json(Map.of("live_version", mv.version(), "caught_up", catchUp));
    } catch (IllegalArgumentException e) {
      throw new ApiException(409, "cannot_activate", e.getMessage());
    } catch (ExecutionException e) {
      throw new ApiException(409, "cannot_activate", String.valueOf(e.getCause().getMessage()));
    } catch (InterruptedException | TimeoutException e) {
      throw new ApiException(503, "unavailable", "activation did not finish in time");
    }
  }

  private void importModel(Context ctx) {
    if (!learner.ready()) {
      throw new ApiException(503, "not_ready", "no model loaded yet");
    }
    String contentType = String.valueOf(ctx.contentType()).toLowerCase(java.util.Locale.ROOT);
    Checkpoint checkpoint;
    String source;
    Long replayAfter = null;
    if (contentType.startsWith("application/octet-stream")) {
      byte[] bytes = body(ctx);
      java.nio.file.Path tmp = null;
      try {
        tmp = java.nio.file.Files.createTempFile("perennial-import", ".pmdl");
        java.nio.file.Files.write(tmp, bytes);
        checkpoint = Checkpoint.read(tmp);
      } catch (java.io.IOException e) {
        throw new ApiException(500, "import_failed", "cannot stage the uploaded checkpoint: " + e.getMessage());
      } catch (CheckpointException e) {
        throw new ApiException(400, "bad_checkpoint", "the body is not a usable checkpoint: "
            + e.getMessage().replace(String.valueOf(tmp), "body"));
      } finally {
        deleteQuietly(tmp);
      }
      source = "upload of " + bytes.length + " bytes";
    } else {
      JsonNode body = readJson(ctx, "");
      if (!body.isObject() || !body.path("path").isTextual() || body.path("path").asText().isBlank()) {
        throw badField("path", "required: the checkpoint file on the server's file system, as a string");
      }
      for (var it = body.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!name.equals("path") && !name.equals("replay_after")) {
          throw badField(name, "unknown field (expected path and replay_after)");
        }
      }
      if (body.has("replay_after")) {
        if (!body.get("replay_after").canConvertToLong() || body.get("replay_after").asLong() < -1) {
          throw badField("replay_after", "must be an offset (an integer >= -1)");
        }
        replayAfter = body.get("replay_after").asLong();
      }
      source = body.path("path").asText();
      try {
        checkpoint = Checkpoint.read(java.nio.file.Path.of(source));
      } catch (CheckpointException e) {
        throw new ApiException(400, "bad_checkpoint", e.getMessage());
      } catch (java.nio.file.InvalidPathException e) {
        throw badField("path", "not a file path: " + e.getMessage());
      }
    }
    if (ctx.queryParam("replayAfter") != null) {
      replayAfter = (long) REPLAY_AFTER.intValue(ctx);
    }
    try {
      ModelVersion mv = learner.importModel(checkpoint, replayAfter).get(30, TimeUnit.MINUTES);
      ServedModel live = learner.served();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("live_version", mv.version());
      out.put("users", live.model().userCount());
      out.put("items", live.model().itemCount());
      out.put("replayed_after", replayAfter);
      out.put("source", source + " (" + checkpoint.provenance().engineVersion() + ")");
      ctx.json(out);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ModelRefusedException) {
        throw new ApiException(409, "import_refused", cause.getMessage());
      }
      if (cause instanceof IllegalArgumentException) {
        throw new ApiException(409, "cannot_import", cause.getMessage());
      }
      throw new ApiException(500, "import_failed", String.valueOf(cause.getMessage()));
    } catch (InterruptedException | TimeoutException e) {
      throw new ApiException(503, "unavailable", "the import did not finish in time");
    }
  }

  private static void deleteQuietly(java.nio.file.Path file) {
    if (file != null) {
      try {
        java.nio.file.Files.deleteIfExists(file);
      } catch (java.io.IOException ignored) {
        // a temp file left behind costs disk only
      }
    }
  }

  private void retrain(Context ctx) {
    if (!learner.ready()) {
      throw new ApiException(503, "not_ready", "no model loaded yet");
    }
    var future = learner.retrain();
    if (WAIT.booleanValue(ctx)) {
      try {
        ModelVersion mv = future.get(30, TimeUnit.MINUTES);
        ctx.json(Map.of("status", "live", "version", mv.version()));
      } catch (ExecutionException e) {
        if (e.getCause() instanceof ModelRefusedException refused) {
          throw new ApiException(409, "retrain_refused", refused.getMessage());
        }
        throw new ApiException(500, "retrain_failed", String.valueOf(e.getCause().getMessage()));
      } catch (InterruptedException | TimeoutException e) {
        throw new ApiException(503, "unavailable", "the retrain did not finish in time; it goes on in the background");
      }
    } else {
      ctx.status(202).json(Map.of("status", "started"));
    }
  }

  private void learnerStatus(Context ctx) {
    LearnerStatus s = learner.status();
    ctx.json(s);
  }

  private void stats(Context ctx) {
    ServedModel served = learner.served();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("events", store.count());
    out.put("users", learner.users().size());
    out.put("items", learner.items().size());
    out.put("items_with_metadata", itemRoutes.storedCount());
    out.put("model_version", served == null ? null : served.version());
    out.put("model_type", served == null ? null : served.model().type());
    out.put("learner_offset", learner.offset());
    out.put("store_offset", store.lastOffset());
    out.put("search", search.status());
    out.put("search_ready", served != null && search.ready(served.model()));
    out.put("retention", privacyRoutes.retentionStatus());
    metrics.statusSections().forEach(out::put);
    if (served != null) {
      out.put("served_tables", tableMemory(served.model()));
    }
    ctx.json(out);
  }

  /**
   * The factor tables requests read: their form and bytes per row (int8: one per factor plus a
   * four-byte scale; fp16: two per factor; fp32: four per factor), biases and histories apart.
   */
  private static Map<String, Object> tableMemory(Recommender model) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (model instanceof QuantizedModel q) {
      boolean int8 = q.quantization() == io.perennial.model.quantized.Quantization.INT8;
      out.put("quantization", q.quantization().label());
      out.put("factors", q.factors());
      out.put("bytes_per_item", int8 ? q.factors() + 4 : 2 * q.factors());
      out.put("bytes_per_user", int8 ? q.factors() + 4 : 2 * q.factors());
      out.put("table_bytes", q.tableBytes());
      out.put("fp32_table_bytes", 4L * q.factors() * ((long) q.userCount() + q.itemCount()));
      // the float model it follows stays in memory for learning: say so
      out.put("float_tables_kept_for_learning", q.follows());
    } else if (model instanceof FactorModel f) {
      out.put("quantization", "none");
      out.put("factors", f.factors());
      out.put("bytes_per_item", 4 * f.factors());
      out.put("bytes_per_user", 4 * f.factors());
      out.put("table_bytes", 4L * f.factors() * ((long) f.userCount() + f.itemCount()));
    } else {
      out.put("quantization", "none");
    }
    return out;
  }

  private ServedModel served() {
    ServedModel s = learner.served();
    if (s == null) {
      throw new ApiException(503, "not_ready", "no model loaded yet; see /health/ready");
    }
    return s;
  }

  private void modelInfo(ObjectNode out, ServedModel served) {
    ObjectNode m = out.putObject("model");
    m.put("version", served.version());
    m.put("type", served.model().type());
  }

  private ArrayNode itemList(Recommendations r, SharedIds items) {
    ArrayNode list = json.createArrayNode();
    for (int p = 0; p < r.size(); p++) {
      ObjectNode o = list.addObject();
      o.put("item", items.idOf(r.ids()[p]));
      o.put("score", r.scores()[p]);
    }
    return list;
  }

  private IntPredicate filter(Context ctx, SharedIds items) {
    String only = ONLY_ITEMS.value(ctx);
    String exclude = EXCLUDE_ITEMS.value(ctx);
    if (only == null && exclude == null) {
      return null;
    }
    BitSet allowed = only == null ? null : indices(only, items, "items");
    BitSet excluded = exclude == null ? new BitSet() : indices(exclude, items, "exclude");
    return i -> (allowed == null || allowed.get(i)) && !excluded.get(i);
  }

  private static BitSet indices(String csv, SharedIds items, String field) {
    BitSet set = new BitSet();
    String[] parts = csv.split(",", -1);
    if (parts.length > 10_000) {
      throw badField(field, "at most 10000 item ids");
    }
    for (String p : parts) {
      int i = items.indexOf(p.trim());
      if (i >= 0) {
        set.set(i);
      }
    }
    return set;
  }

  /** True for a JSON Lines body ({@code Content-Type: application/x-ndjson}). */
  static boolean isJsonLines(Context ctx) {
    String type = ctx.contentType();
    if (type == null) {
      return false;
    }
    int semicolon = type.indexOf(';');
    String media = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
    return media.equalsIgnoreCase(OpenApi.NDJSON);
  }

  /**
   * The body as one JSON value: nothing but whitespace may follow it.
   *
   * @param trailingHint said after the position when something does follow the value
   */
  private JsonNode readJson(Context ctx, String trailingHint) {
    return readJson(json, ctx, trailingHint);
  }

  /** As {@link #readJson(Context, String)}, for the routes declared in other classes. */
  static JsonNode readJson(ObjectMapper json, Context ctx, String trailingHint) {
    byte[] bytes = body(ctx);
    try {
      JsonNode value = JsonBody.readOne(json, bytes, 0, bytes.length);
      if (value == null) {
        throw ApiException.badRequest("empty body: expected JSON");
      }
      return value;
    } catch (JsonBody.Malformed m) {
      if (!m.trailing) {
        throw new ApiException(400, "malformed_json", m.getMessage() + " at " + m.position());
      }
      Map<String, Object> where = new LinkedHashMap<>();
      where.put("field", "body");
      where.put("offset", m.offset);
      where.put("line", m.line);
      where.put("column", m.column);
      where.put("message", "content after the first JSON value");
      throw new ApiException(400, "trailing_content", "the body holds more than one JSON value: content follows the "
          + "first value at " + m.position() + trailingHint, List.of(where));
    }
  }

  static byte[] body(Context ctx) {
    byte[] bytes = ctx.bodyAsBytes();
    if (bytes.length == 0) {
      throw ApiException.badRequest("empty body: expected JSON");
    }
    return bytes;
  }

  static String pathId(Context ctx, String name) {
    String id = ctx.pathParam(name);
    try {
      EventParser.checkId(name, id);
    } catch (EventParser.FieldError e) {
      throw badField(name, e.getMessage());
    }
    return id;
  }

  static ApiException badField(String field, String message) {
    return new ApiException(400, "bad_request", field + ": " + message,
        List.of(Map.of("field", field, "message", message)));
  }

  private static String truncate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
