package io.perennial.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.javalin.security.RouteRole;
import io.perennial.store.NonFiniteAsNull;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Javalin application: routes from {@link ApiRoutes}, the key check and rate limit before
 * every matched route, errors mapped to JSON in one place, the dashboard's static files, and TLS
 * when a keystore is configured.
 */
public final class HttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
  private static final String STARTED = "perennial.started";
  private static final String CALLER = "perennial.caller";

  private final Javalin app;
  private final ServerMetrics metrics;
  private final Pseudonymizer pseudonymizer;

  public HttpServer(HttpOptions options, ApiRoutes api, ServerMetrics metrics, Pseudonymizer pseudonymizer) {
    this.metrics = metrics;
    this.pseudonymizer = pseudonymizer;
    ObjectMapper json = mapper();
    List<Route> routes = api.routes();
    RateLimiter limiter = new RateLimiter(options.ratePerSecond(), Math.max(1, options.ratePerSecond() * 2));
    app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.jsonMapper(new JavalinJackson(json, false));
      config.http.maxRequestSize = options.maxBodyBytes();
      config.http.prefer405over404 = true;
      config.staticFiles.add(files -> {
        files.hostedPath = "/";
        files.directory = "/dashboard";
        files.location = Location.CLASSPATH;
      });
      config.staticFiles.enableWebjars();
      config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
      if (options.corsOrigin() != null) {
        config.bundledPlugins.enableCors(cors -> cors.addRule(rule -> rule.allowHost(options.corsOrigin())));
      }
      if (options.keystore() != null) {
        config.jetty.addConnector((server, httpConfig) -> {
          SslContextFactory.Server ssl = new SslContextFactory.Server();
          ssl.setKeyStorePath(options.keystore().toString());
          ssl.setKeyStorePassword(options.keystorePassword());
          httpConfig.addCustomizer(new SecureRequestCustomizer());
          ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
              new HttpConnectionFactory(httpConfig));
          connector.setHost(options.host());
          connector.setPort(options.port());
          return connector;
        });
      }
      for (Route r : routes) {
        RouteRole[] roles = r.scope() == null ? new RouteRole[0] : new RouteRole[] {r.scope()};
        config.router.mount(router -> router.addHttpHandler(r.method(), r.path(), r.handler(), roles));
      }
    });
    Map<String, Object> openApi = OpenApi.document(routes);
    app.get("/openapi.json", ctx -> ctx.json(openApi), Scope.READ);
    app.before(ctx -> {
      if (ctx.method() == HandlerType.CONNECT) {
        // not a proxy: without the close, Jetty keeps the socket for a tunnel until its idle timeout
        ctx.header("Connection", "close");
        throw new ApiException(405, "method_not_allowed", "CONNECT is not supported: this server is not a proxy");
      }
    });
    app.beforeMatched(ctx -> {
      ctx.attribute(STARTED, System.nanoTime());
      if (ctx.req().getContentLengthLong() > options.maxBodyBytes()) {
        // refused here, before Javalin reads the body, which would log a warning for every such request
        throw new ApiException(413, "body_too_large", "request body larger than " + options.maxBodyBytes() + " bytes");
      }
      Set<RouteRole> roles = ctx.routeRoles();
      if (!roles.isEmpty()) {
        Scope needed = (Scope) roles.iterator().next();
        String caller = authorize(ctx, options.keys(), needed);
        ctx.attribute(CALLER, caller);
        if (!limiter.tryAcquire(caller)) {
          metrics.rateLimited();
          ctx.header("Retry-After", "1");
          throw new ApiException(429, "rate_limited", "too many requests for this key; slow down");
        }
      }
      checkQueryEscapes(ctx.queryString());
    });
    app.afterMatched(ctx -> {
      Long started = ctx.attribute(STARTED);
      if (started != null) {
        long nanos = System.nanoTime() - started;
        metrics.request(ctx.method().name(), ctx.endpointHandlerPath(), ctx.statusCode(), nanos);
        if (LOG.isDebugEnabled()) {
          String user = ctx.pathParamMap().get("id");
          LOG.debug("{} {} {} {}µs caller={} user={}", ctx.method(), ctx.endpointHandlerPath(), ctx.statusCode(),
              nanos / 1000, ctx.attribute(CALLER), user == null ? "-" : pseudonymizer.pseudonym(user));
        }
      }
    });
    app.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage(), e.details()));
    app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(),
        switch (e.getStatus()) {
          case 404 -> "not_found";
          case 405 -> "method_not_allowed";
          case 413 -> "body_too_large";
          default -> "http_" + e.getStatus();
        },
        e.getStatus() == 413 ? "request body larger than " + options.maxBodyBytes() + " bytes" : e.getMessage(),
        List.of()));
    app.exception(Exception.class, (e, ctx) -> {
      LOG.error("unhandled error on {} {}", ctx.method(), ctx.endpointHandlerPath(), e);
      error(ctx, 500, "internal", "internal error; see the server log", List.of());
    });
    app.error(404, ctx -> {
      if (!isJson(ctx)) {
        error(ctx, 404, "not_found", "no route " + ctx.method() + " " + truncate(ctx.path()), List.of());
      }
    });
    app.error(405, ctx -> {
      if (!isJson(ctx)) {
        error(ctx, 405, "method_not_allowed", ctx.method() + " is not allowed on " + truncate(ctx.path()), List.of());
      }
    });
  }

  /**
   * Refuses a query string with a malformed %-escape, naming the parameter. Javalin's own parser
   * gives up on the whole query string in that case, so {@code ?k=%zz} would silently mean no
   * {@code k} at all and {@code ?items=%zz} no filter.
   */
  static void checkQueryEscapes(String query) {
    if (query == null || query.indexOf('%') < 0) {
      return;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String rawName = eq < 0 ? pair : pair.substring(0, eq);
      String name;
      try {
        name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw ApiRoutes.badField(truncate(rawName), "malformed %-escape in the parameter name");
      }
      if (eq >= 0) {
        try {
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw ApiRoutes.badField(truncate(name), "malformed %-escape in the value (% must be followed by two hex digits)");
        }
      }
    }
  }

  /** The caller's label after checking its key, or a 401/403. */
  private static String authorize(Context ctx, ApiKeys keys, Scope needed) {
    if (!keys.enabled()) {
      return "anonymous:" + ctx.ip();
    }
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
      throw new ApiException(401, "unauthorized", "send an API key as 'Authorization: Bearer <key>'");
    }
    var entry = keys.find(header.substring(7).trim());
    if (entry.isEmpty()) {
      throw new ApiException(401, "unauthorized", "unknown API key");
    }
    if (!entry.get().scope().allows(needed)) {
      throw new ApiException(403, "forbidden", "this key has scope '" + entry.get().scope().name().toLowerCase()
          + "'; the route needs '" + needed.name().toLowerCase() + "'");
    }
    return entry.get().label();
  }

  private static boolean isJson(Context ctx) {
    String type = ctx.res().getContentType();
    return type != null && type.startsWith("application/json");
  }

  private static void error(Context ctx, int status, String code, String message, List<Map<String, Object>> details) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", message);
    if (!details.isEmpty()) {
      body.put("details", details);
    }
    ctx.status(status).json(body);
  }

  /**
   * The API's JSON settings: snake_case names, duplicate keys rejected, and NaN or infinite
   * numbers written as {@code null} (Jackson would write the string {@code "NaN"} where clients
   * expect a number).
   */
  public static ObjectMapper mapper() {
    JsonFactory factory = NonFiniteAsNull.factory();
    return JsonMapper.builder(factory)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .propertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
        .build();
  }

  private static String truncate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "…";
  }

  /**
   * Checks that {@code host:port} can be listened on, by binding it and letting it go, so that a
   * server can refuse before it creates or changes anything.
   *
   * @throws ListenException naming the host, the port and what is wrong
   */
  public static void checkCanListen(String host, int port) {
    if (port < 0 || port > 65_535) {
      throw new ListenException("port " + port + " is out of range (0-65535; 0 picks a free one)", null);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new ListenException("cannot resolve host '" + host + "'", e);
    }
    try (ServerSocket probe = new ServerSocket()) {
      // as Jetty binds: a port in TIME_WAIT is usable, one with a listener is not
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(address, port));
    } catch (IOException e) {
      throw cannotListen(host, port, e);
    }
  }

  private static ListenException cannotListen(String host, int port, Throwable e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String hint = why.contains("in use") ? "; is another server running? choose another --port" : "";
    return new ListenException("cannot listen on " + host + ":" + port + ": " + why + hint, e);
  }

  /** Starts listening; returns the bound port. */
  public int start(String host, int port, boolean tls) {
    try {
      if (tls) {
        app.start();
      } else {
        app.start(host, port);
      }
    } catch (RuntimeException e) {
      // the port can be taken between checkCanListen and here
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof java.net.BindException) {
          throw cannotListen(host, port, c);
        }
      }
      throw e;
    }
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
