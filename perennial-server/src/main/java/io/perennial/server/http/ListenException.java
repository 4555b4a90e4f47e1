package io.perennial.server.http;

/**
 * The server cannot listen where it was asked to: the port is taken or out of range, or the host
 * does not name an interface of this machine. A setting to change, not a bug.
 */
public final class ListenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ListenException(String message, Throwable cause) {
    super(message, cause);
  }
}
