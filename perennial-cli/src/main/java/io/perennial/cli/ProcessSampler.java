package io.perennial.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a process's CPU went between two samples, per thread group, and its resident memory, from
 * Linux's {@code /proc}. Unlike the JVM's own thread beans this sees the collector's and the JIT
 * compiler's threads too, so a soak that drifts names its cause from figures instead of guesses.
 */
final class ProcessSampler {

  /**
   * Prefixes of thread names as {@code /proc} shows them (cut at 15 characters), first match wins;
   * everything else is "other".
   */
  private static final String[][] GROUPS = {
      {"perennial-learn", "learner"},
      {"perennial-ann", "ann"},
      {"ForkJoinPool-", "ann"},
      {"perennial-store", "store"},
      {"JettyServerThre", "http"},
      {"GC Thread", "gc"},
      {"G1 ", "gc"},
      {"VM Thread", "gc"},
      {"C1 CompilerThre", "jit"},
      {"C2 CompilerThre", "jit"},
      {"bench-client", "client"},
  };
  /** Linux reports thread times in clock ticks of USER_HZ, which is 100 on every mainstream build. */
  private static final double TICKS_PER_SECOND = 100;

  private final Path proc;
  private Map<String, Long> lastByThread = Map.of();
  private long lastNanos = System.nanoTime();

  ProcessSampler(long pid) {
    this.proc = Path.of("/proc", Long.toString(pid));
    lastByThread = ticksByThread();
  }

  /** Puts {@code cpu_cores} and {@code cpu_cores_by_thread} since the previous call, and {@code rss_mb}. */
  void sampleInto(ObjectNode sample, String prefix) {
    long now = System.nanoTime();
    double wall = Math.max(1e-9, (now - lastNanos) / 1e9);
    Map<String, Long> byThread = ticksByThread();
    Map<String, Long> byGroup = new LinkedHashMap<>();
    for (String[] g : GROUPS) {
      byGroup.putIfAbsent(g[1], 0L);
    }
    byGroup.put("other", 0L);
    long total = 0;
    for (var e : byThread.entrySet()) {
      long delta = Math.max(0, e.getValue() - lastByThread.getOrDefault(e.getKey(), 0L));
      total += delta;
      String name = e.getKey().substring(e.getKey().indexOf(' ') + 1);
      byGroup.merge(groupOf(name), delta, Long::sum);
    }
    sample.put(prefix + "cpu_cores", byThread.isEmpty() ? -1 : round(total / TICKS_PER_SECOND / wall));
    ObjectNode groups = sample.putObject(prefix + "cpu_cores_by_thread");
    byGroup.forEach((group, ticks) -> {
      if (ticks > 0 || !group.equals("client")) {
        groups.put(group, round(ticks / TICKS_PER_SECOND / wall));
      }
    });
    sample.put(prefix + "rss_mb", rssMb());
    lastByThread = byThread;
    lastNanos = now;
  }

  /** User + system ticks of each live thread, keyed by "tid name". */
  private Map<String, Long> ticksByThread() {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          // the name sits in parentheses and may itself hold spaces or parentheses
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String name = stat.substring(open + 1, close);
          String[] f = stat.substring(close + 2).split(" ");
          // fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the name
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          out.put(task.getFileName() + " " + name, ticks);
        } catch (IOException | RuntimeException e) {
          // the thread ended between listing and reading
        }
      }
    } catch (IOException e) {
      return Map.of();
    }
    return out;
  }

  private static String groupOf(String threadName) {
    for (String[] g : GROUPS) {
      if (threadName.startsWith(g[0])) {
        return g[1];
      }
    }
    return "other";
  }

  private long rssMb() {
    try {
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
