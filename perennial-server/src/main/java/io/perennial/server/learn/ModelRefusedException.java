package io.perennial.server.learn;

/**
 * A model failed the health check and was not made live; the served model stays. The message
 * names the model and why.
 */
public final class ModelRefusedException extends RuntimeException {
  public ModelRefusedException(String message) {
    super(message);
  }
}
