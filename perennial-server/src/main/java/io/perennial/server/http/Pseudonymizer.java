package io.perennial.server.http;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed HMAC-SHA256 of user ids for logs and metrics: stable per server secret (so one user's
 * lines can be followed) but not reversible or guessable without the secret.
 */
public final class Pseudonymizer {

  private final SecretKeySpec key;

  public Pseudonymizer(byte[] secret) {
    if (secret.length < 16) {
      throw new IllegalArgumentException("pseudonymisation secret must be at least 16 bytes");
    }
    this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
  }

  /** {@code u_} plus the first 12 bytes of the HMAC, hex. */
  public String pseudonym(String userId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] h = mac.doFinal(userId.getBytes(StandardCharsets.UTF_8));
      return "u_" + HexFormat.of().formatHex(h, 0, 12);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
