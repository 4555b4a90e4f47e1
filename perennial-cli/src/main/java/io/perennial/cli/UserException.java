package io.perennial.cli;

/** A mistake the user can fix; printed as one line, exit code {@link Main#USER_ERROR}. */
final class UserException extends RuntimeException {
  UserException(String message) {
    super(message);
  }
}
