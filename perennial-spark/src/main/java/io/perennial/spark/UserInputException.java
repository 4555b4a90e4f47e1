package io.perennial.spark;

/** Input or options {@code spark-train} cannot use; its message is the one line the user sees. */
public final class UserInputException extends RuntimeException {
  /** An error whose message names the problem (file:line:field, option, id). */
  public UserInputException(String message) {
    super(message);
  }
}
