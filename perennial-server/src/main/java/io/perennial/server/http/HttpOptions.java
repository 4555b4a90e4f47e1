package io.perennial.server.http;

import java.nio.file.Path;

/**
 * How the HTTP side listens and whom it lets in.
 *
 * @param host interface to bind
 * @param port port (0 = any free one)
 * @param keys API keys; {@link ApiKeys#none()} only with {@code --insecure-dev}
 * @param maxBodyBytes largest request body accepted (413 above)
 * @param ratePerSecond sustained requests per second per key (0 = no limit); bursts of twice that
 * @param corsOrigin origin allowed to call from a browser, or {@code null} for no CORS
 * @param keystore PKCS#12 keystore for TLS, or {@code null} for plain HTTP
 * @param keystorePassword its password
 */
public record HttpOptions(String host, int port, ApiKeys keys, long maxBodyBytes, double ratePerSecond,
    String corsOrigin, Path keystore, String keystorePassword) {}
