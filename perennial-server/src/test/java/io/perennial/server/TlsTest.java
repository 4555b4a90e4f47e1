package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.server.http.ApiKeys;
import io.perennial.server.http.HttpOptions;
import io.perennial.server.search.TopKSearch;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS when a keystore is given: a self-signed PKCS#12 made by keytool, trusted by the client. */
class TlsTest {

  private static final String PASSWORD = "test-keystore-pass";

  @TempDir Path dir;

  @Test
  void servesHttpsWithTheGivenKeystoreAndNoPlainHttp() throws Exception {
    Path keystore = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "perennial", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String keytoolOutput = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor()).as(keytoolOutput).isZero();

    HttpOptions options = new HttpOptions("127.0.0.1", 0, ApiKeys.parse(TestServers.READ + ":read"), 1 << 20, 0,
        null, keystore, PASSWORD);
    try (PerennialServer server = PerennialServer.start(dir.resolve("data"), TestServers.settings("online", 60_000),
        options, TopKSearch.exact(), TestServers::seed)) {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        trusted.load(in, PASSWORD.toCharArray());
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, tmf.getTrustManagers(), null);
      HttpClient client = HttpClient.newBuilder().sslContext(tls).build();

      HttpResponse<String> live = client.send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + server.port() + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.sslSession()).isPresent();
      HttpResponse<String> stats = client.send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + server.port() + "/v1/stats")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(stats.statusCode()).as("keys still apply over TLS").isEqualTo(401);

      // The same port does not speak plain HTTP, and a client that does not trust the certificate is refused.
      int plain;
      try {
        plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/health/live")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode();
      } catch (IOException refused) {
        plain = -1;
      }
      assertThat(plain).as("plain HTTP on the TLS port").isNotEqualTo(200);
      assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + server.port() + "/health/live")).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }
}
