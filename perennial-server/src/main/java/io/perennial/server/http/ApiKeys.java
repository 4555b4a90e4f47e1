package io.perennial.server.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The configured API keys and their scopes. Keys are held as SHA-256 digests and a presented key is
 * compared against every one of them with {@link MessageDigest#isEqual}, so neither the comparison
 * nor the loop leaks, by timing, how much of a key matched or which key it was.
 */
public final class ApiKeys {

  /** One key: its digest, scope, and a short non-secret label for logs and rate limiting. */
  record Entry(byte[] digest, Scope scope, String label) {}

  private final List<Entry> entries;

  private ApiKeys(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** No keys: every request is allowed (only with {@code --insecure-dev}). */
  public static ApiKeys none() {
    return new ApiKeys(List.of());
  }

  /**
   * Parses {@code key1:admin,key2:ingest,key3:read} (the {@code PERENNIAL_API_KEYS} format).
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static ApiKeys parse(String spec) {
    List<Entry> entries = new ArrayList<>();
    int n = 0;
    for (String part : spec.split(",")) {
      n++;
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int colon = p.lastIndexOf(':');
      if (colon <= 0 || colon == p.length() - 1) {
        throw new IllegalArgumentException("API key entry " + n + " is not key:scope");
      }
      String key = p.substring(0, colon);
      if (key.length() < 16) {
        throw new IllegalArgumentException("API key entry " + n + " is shorter than 16 characters");
      }
      entries.add(new Entry(digest(key), Scope.parse(p.substring(colon + 1)), "key" + n));
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no API keys in the key list");
    }
    return new ApiKeys(entries);
  }

  public boolean enabled() {
    return !entries.isEmpty();
  }

  /** The entry a presented key belongs to, if any. */
  Optional<Entry> find(String presented) {
    byte[] d = digest(presented);
    Entry found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.digest(), d)) {
        found = e;
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
