package io.perennial.server.http;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

/**
 * One HTTP route: what it answers, who may call it and what it does. Every route is declared in
 * {@link ApiRoutes#routes()}; the router, the access check and {@code /openapi.json} are all built
 * from that one list.
 *
 * @param method HTTP method
 * @param path Javalin path ({@code {id}} for parameters)
 * @param scope the key scope it needs, or {@code null} for a public route (health checks)
 * @param summary one line for the OpenAPI document
 * @param params query parameters, each "name: description"
 * @param handler what it does
 */
public record Route(HandlerType method, String path, Scope scope, String summary, java.util.List<String> params,
    Handler handler) {}
