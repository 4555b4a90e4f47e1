package io.perennial.server.http;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One query parameter of a route. The same definition reads and checks the value in the handler
 * and describes it in {@code /openapi.json}, so the document cannot promise a type the handler
 * does not enforce.
 *
 * @param name parameter name
 * @param type its type
 * @param description one line for the OpenAPI document
 * @param min smallest integer accepted ({@link Type#INTEGER} only)
 * @param max largest integer accepted ({@link Type#INTEGER} only)
 * @param defaultValue what an absent parameter means, or {@code null} for no value
 */
public record QueryParam(String name, Type type, String description, long min, long max, Object defaultValue) {

  /** What a value may be. */
  public enum Type {
    INTEGER,
    BOOLEAN,
    /** Comma-separated item ids. */
    ID_LIST,
    /** One id, as given. */
    ID
  }

  /** An integer within {@code [min, max]}. */
  public static QueryParam integer(String name, int min, int max, int defaultValue, String description) {
    return new QueryParam(name, Type.INTEGER, description, min, max, defaultValue);
  }

  /** {@code true} or {@code false} (also 1/0, yes/no). */
  public static QueryParam bool(String name, boolean defaultValue, String description) {
    return new QueryParam(name, Type.BOOLEAN, description, 0, 0, defaultValue);
  }

  /** Comma-separated ids; absent means no list. */
  public static QueryParam idList(String name, String description) {
    return new QueryParam(name, Type.ID_LIST, description, 0, 0, null);
  }

  /** One id (commas and all); absent means none. */
  public static QueryParam id(String name, String description) {
    return new QueryParam(name, Type.ID, description, 0, 0, null);
  }

  /** The integer value, the default when absent, or a 400 naming the parameter. */
  public int intValue(Context ctx) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return (Integer) defaultValue;
    }
    String bounds = "between " + min + " and " + max;
    try {
      long n = Long.parseLong(v.trim());
      if (n < min || n > max) {
        throw ApiRoutes.badField(name, "must be " + bounds);
      }
      return (int) n;
    } catch (NumberFormatException e) {
      throw ApiRoutes.badField(name, "must be an integer " + bounds);
    }
  }

  /** The boolean value, the default when absent, or a 400 naming the parameter. */
  public boolean booleanValue(Context ctx) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return (Boolean) defaultValue;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw ApiRoutes.badField(name, "must be true or false");
    };
  }

  /** The raw value, or {@code null} when absent. */
  public String value(Context ctx) {
    return ctx.queryParam(name);
  }

  /** The OpenAPI 3 parameter object. */
  Map<String, Object> openApi() {
    Map<String, Object> schema = new LinkedHashMap<>();
    switch (type) {
      case INTEGER -> {
        schema.put("type", "integer");
        schema.put("format", "int32");
        schema.put("minimum", min);
        schema.put("maximum", max);
      }
      case BOOLEAN -> schema.put("type", "boolean");
      case ID_LIST -> {
        schema.put("type", "array");
        schema.put("items", Map.of("type", "string"));
      }
      case ID -> schema.put("type", "string");
    }
    if (defaultValue != null) {
      schema.put("default", defaultValue);
    }
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("name", name);
    p.put("in", "query");
    p.put("required", false);
    p.put("description", description);
    if (type == Type.ID_LIST) {
      // comma-separated in one parameter, not the parameter repeated
      p.put("style", "form");
      p.put("explode", false);
    }
    p.put("schema", schema);
    return p;
  }
}
