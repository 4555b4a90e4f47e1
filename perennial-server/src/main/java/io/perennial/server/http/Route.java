package io.perennial.server.http;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.List;

/**
 * One HTTP route: what it answers, who may call it and what it does. Every route is declared in
 * {@link ApiRoutes#routes()}; the router, the access check and {@code /openapi.json} are all built
 * from that one list.
 *
 * @param method HTTP method
 * @param path Javalin path ({@code {id}} for parameters)
 * @param scope the key scope it needs, or {@code null} for a public route (health checks)
 * @param summary one line for the OpenAPI document
 * @param params query parameters, read through these definitions by the handler
 * @param request the request bodies it accepts (empty: none)
 * @param response what a success carries
 * @param handler what it does
 */
public record Route(HandlerType method, String path, Scope scope, String summary, List<QueryParam> params,
    List<Content> request, Content response, Handler handler) {

  /**
   * A body of one media type described by a schema.
   *
   * @param mediaType e.g. {@code application/json}
   * @param schema name of a schema under {@code components/schemas}, or {@code null} for plain text
   */
  public record Content(String mediaType, String schema) {

    /** A JSON body described by schema {@code schema}. */
    public static Content json(String schema) {
      return new Content("application/json", schema);
    }
  }
}
