package io.perennial.server.http;

import java.util.concurrent.ConcurrentHashMap;

/** A token bucket per caller: {@code perSecond} sustained, bursts up to {@code burst}. */
final class RateLimiter {

  private final double perSecond;
  private final double burst;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long lastNanos;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.lastNanos = now;
    }
  }

  RateLimiter(double perSecond, double burst) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** Takes one token for {@code caller}; false when the bucket is empty (answer 429). */
  boolean tryAcquire(String caller) {
    if (perSecond <= 0) {
      return true;
    }
    long now = System.nanoTime();
    Bucket b = buckets.computeIfAbsent(caller, k -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.lastNanos) * perSecond / 1e9);
      b.lastNanos = now;
      if (b.tokens < 1) {
        return false;
      }
      b.tokens -= 1;
      return true;
    }
  }
}
