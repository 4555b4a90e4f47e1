package io.perennial.server.http;

import java.util.List;
import java.util.Map;

/**
 * A request the server refuses, with the HTTP status and a JSON body naming the problem: {@code
 * {"error": code, "message": …, "details": [...]}}.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final transient List<Map<String, Object>> details;

  public ApiException(int status, String code, String message) {
    this(status, code, message, List.of());
  }

  public ApiException(int status, String code, String message, List<Map<String, Object>> details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = List.copyOf(details);
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "bad_request", message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public List<Map<String, Object>> details() {
    return details;
  }
}
