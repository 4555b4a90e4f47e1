package io.perennial.server.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the OpenAPI 3 document from the route table, so it cannot drift from the router. */
final class OpenApi {

  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

  private OpenApi() {}

  static Map<String, Object> document(List<Route> routes) {
    Map<String, Object> paths = new LinkedHashMap<>();
    for (Route r : routes) {
      @SuppressWarnings("unchecked")
      Map<String, Object> path = (Map<String, Object>) paths.computeIfAbsent(r.path(), p -> new LinkedHashMap<>());
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("summary", r.summary());
      List<Map<String, Object>> params = new java.util.ArrayList<>();
      Matcher m = PARAM.matcher(r.path());
      while (m.find()) {
        params.add(Map.of("name", m.group(1), "in", "path", "required", true, "schema", Map.of("type", "string")));
      }
      for (String q : r.params()) {
        int colon = q.indexOf(':');
        params.add(Map.of("name", q.substring(0, colon), "in", "query", "required", false,
            "description", q.substring(colon + 1).trim(), "schema", Map.of("type", "string")));
      }
      if (!params.isEmpty()) {
        op.put("parameters", params);
      }
      if (r.scope() != null) {
        op.put("security", List.of(Map.of("bearer", List.of())));
        op.put("x-scope", r.scope().name().toLowerCase(Locale.ROOT));
      }
      op.put("responses", Map.of(
          "200", Map.of("description", "success (JSON)"),
          "400", Map.of("description", "invalid request; the JSON body names the field"),
          "401", Map.of("description", "missing or unknown API key"),
          "403", Map.of("description", "the key's scope does not allow this route"),
          "429", Map.of("description", "rate limit exceeded")));
      path.put(r.method().name().toLowerCase(Locale.ROOT), op);
    }
    paths.put("/openapi.json", Map.of("get", Map.of("summary", "This document", "security",
        List.of(Map.of("bearer", List.of())), "responses", Map.of("200", Map.of("description", "OpenAPI 3 JSON")))));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("openapi", "3.0.3");
    doc.put("info", Map.of("title", "Perennial", "version", "1",
        "description", "Events in, recommendations out, a model that keeps learning."));
    doc.put("paths", paths);
    doc.put("components", Map.of("securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer"))));
    return doc;
  }
}
