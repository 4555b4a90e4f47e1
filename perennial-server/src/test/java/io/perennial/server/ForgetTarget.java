package io.perennial.server;

import java.nio.file.Path;

/** {@code perennial forget} in its own JVM, for the kill -9 test: forgets a user, then prints DONE. */
public final class ForgetTarget {
  private ForgetTarget() {}

  public static void main(String[] args) {
    System.out.println("STARTED");
    System.out.flush();
    PerennialServer.forgetOffline(Path.of(args[0]), args[1]);
    System.out.println("DONE");
    System.out.flush();
  }
}
