package io.perennial.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real downloader against a server on loopback serving a zip this test builds. */
class DatasetFetcherTest {

  @TempDir Path cache;
  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private byte[] zip;
  private URI base;

  @BeforeEach
  void serve() throws IOException {
    zip = buildZip();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/datasets/", exchange -> {
      requests.incrementAndGet();
      byte[] body = exchange.getRequestURI().getPath().endsWith("/tiny.zip") ? zip : null;
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
      exchange.close();
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/datasets/");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static byte[] buildZip() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      out.putNextEntry(new ZipEntry("tiny/"));
      out.closeEntry();
      out.putNextEntry(new ZipEntry("tiny/ratings.csv"));
      out.write("userId,movieId,rating,timestamp\n1,1,4.0,10\n2,1,3.0,20\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return bytes.toByteArray();
  }

  private Map<String, RemoteDataset> catalogue(String sha, long size) {
    return Map.of("tiny", new RemoteDataset("tiny", "tiny.zip", size, sha));
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  @Test
  void downloadsVerifiesUnpacksAndCaches() throws Exception {
    DatasetFetcher fetcher = new DatasetFetcher(base, cache, catalogue(sha256(zip), zip.length));
    long[] progress = {0};
    Path dir = fetcher.fetch("tiny", b -> progress[0] = b);
    assertThat(progress[0]).isEqualTo(zip.length);
    assertThat(dir).isEqualTo(cache.resolve("tiny"));
    Dataset d = InteractionReaders.read(dir, DataFormat.MOVIELENS, ReadOptions.defaults());
    assertThat(d.size()).isEqualTo(2);
    assertThat(requests.get()).isEqualTo(1);
    // second fetch is served from the cache
    assertThat(fetcher.fetch("tiny", b -> {})).isEqualTo(dir);
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void rejectsAnArchiveWhoseHashDiffersAndKeepsNothing() throws Exception {
    String wrong = "0".repeat(64);
    DatasetFetcher fetcher = new DatasetFetcher(base, cache, catalogue(wrong, zip.length));
    assertThatThrownBy(() -> fetcher.fetch("tiny", b -> {}))
        .isInstanceOf(DatasetFetcher.FetchException.class)
        .hasMessageContaining("has SHA-256 " + sha256(zip))
        .hasMessageContaining("expected " + wrong);
    assertThat(Files.exists(cache.resolve("tiny.zip"))).isFalse();
    assertThat(Files.exists(cache.resolve("tiny"))).isFalse();
    try (var files = Files.list(cache)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void rejectsWrongSizeUnknownNamesAndHttpErrors() throws Exception {
    DatasetFetcher wrongSize = new DatasetFetcher(base, cache, catalogue(sha256(zip), zip.length + 1));
    assertThatThrownBy(() -> wrongSize.fetch("tiny", b -> {})).hasMessageContaining("expected " + (zip.length + 1));
    assertThatThrownBy(() -> wrongSize.fetch("ml-5b", b -> {})).hasMessageContaining("unknown dataset 'ml-5b'");
    DatasetFetcher missing = new DatasetFetcher(base, cache,
        Map.of("gone", new RemoteDataset("gone", "gone.zip", 1, "0".repeat(64))));
    assertThatThrownBy(() -> missing.fetch("gone", b -> {})).hasMessageContaining("HTTP 404");
  }

  @Test
  void anUnreachableHostIsNamedWithWhatFailed() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/datasets/");
    DatasetFetcher fetcher = new DatasetFetcher(nowhere, cache, catalogue(sha256(zip), zip.length));
    assertThatThrownBy(() -> fetcher.fetch("tiny", b -> {}))
        .isInstanceOf(DatasetFetcher.FetchException.class)
        .hasMessageStartingWith("cannot fetch tiny: cannot connect to 127.0.0.1:" + closedPort + " (")
        .hasMessageNotContaining("null");
    try (var files = Files.list(cache)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void failuresWithoutAMessageStillSayWhatKindTheyAre() {
    URI uri = URI.create("https://files.example.org/datasets/x.zip");
    assertThat(DatasetFetcher.describe(new java.net.UnknownHostException(), uri))
        .isEqualTo("host files.example.org not found (offline, or no DNS?)");
    assertThat(DatasetFetcher.describe(new java.net.http.HttpConnectTimeoutException(null), uri))
        .startsWith("no answer from files.example.org within 20 s");
    assertThat(DatasetFetcher.describe(new java.io.EOFException(), uri))
        .isEqualTo("GET " + uri + " failed: EOFException");
  }

  @Test
  void movieLensCatalogueHasPinnedHashes() {
    assertThat(RemoteDataset.MOVIELENS).containsOnlyKeys("ml-latest-small", "ml-100k", "ml-1m", "ml-25m");
    RemoteDataset.MOVIELENS.values().forEach(d -> assertThat(d.sha256()).hasSize(64).matches("[0-9a-f]+"));
  }
}
