package io.perennial.server;

import java.nio.file.Path;

/**
 * A server in its own JVM, for the kill -9 tests: prints its port, then serves until killed. With a
 * second argument {@code large}, a bigger model that checkpoints every 100 ms.
 */
public final class KillTarget {
  private KillTarget() {}

  public static void main(String[] args) throws Exception {
    boolean large = args.length > 1 && args[1].equals("large");
    PerennialServer server = large ? TestServers.startLarge(Path.of(args[0]), 100)
        : TestServers.start(Path.of(args[0]), "online", 300);
    System.out.println("PORT " + server.port());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
