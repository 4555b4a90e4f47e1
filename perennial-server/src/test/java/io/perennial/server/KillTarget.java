package io.perennial.server;

import java.nio.file.Path;

/** A server in its own JVM, for the kill -9 test: prints its port, then serves until killed. */
public final class KillTarget {
  private KillTarget() {}

  public static void main(String[] args) throws Exception {
    PerennialServer server = TestServers.start(Path.of(args[0]), "online", 300);
    System.out.println("PORT " + server.port());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
