package io.perennial.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code perennial serve} in a JVM of its own, for {@code bench serve}: the server's heap, RSS, GC
 * and threads are then the server's alone, and its JVM flags are the ones a deployment would use,
 * not the load generator's.
 */
final class ServerProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("serving on https?://[^:]+:(\\d+)");

  private final Process process;
  private final CompletableFuture<Integer> port = new CompletableFuture<>();

  private ServerProcess(Process process, PrintWriter out) {
    this.process = process;
    Thread pump = new Thread(() -> pump(out), "bench-server-output");
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Starts {@code perennial serve serveArgs} with {@code jvmOptions}, on this JVM's java and class
   * path, and waits until it listens.
   */
  static ServerProcess start(List<String> jvmOptions, List<String> serveArgs, PrintWriter out,
      long timeoutSeconds) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      command.add("--add-modules");
      command.add("jdk.incubator.vector");
    }
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.add("serve");
    command.addAll(serveArgs);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PERENNIAL_PROGRESS", "0");
    ServerProcess server = new ServerProcess(builder.start(), out);
    try {
      server.port.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      server.close();
      throw new UserException("bench serve: the server exited before listening (see its output above)");
    } catch (TimeoutException e) {
      server.close();
      throw new UserException("bench serve: the server did not listen within " + timeoutSeconds + " s");
    }
    return server;
  }

  static List<String> splitOptions(String options) {
    return options == null || options.isBlank() ? List.of() : Arrays.asList(options.trim().split("\\s+"));
  }

  int port() {
    return port.join();
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  private void pump(PrintWriter out) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("WARNING: Using incubator modules")) {
          continue;
        }
        synchronized (out) {
          out.println("  server | " + line);
          out.flush();
        }
        Matcher m = LISTENING.matcher(line);
        if (!port.isDone() && m.find()) {
          port.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      // the process ended; the exit is reported below
    }
    port.completeExceptionally(new IllegalStateException("server output ended"));
  }

  /** Stops the server as an operator would (SIGTERM: it checkpoints), killing it if that hangs. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
