package io.perennial.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Downloads dataset archives into a cache, verifies their size and SHA-256, and unpacks them.
 *
 * <p>Layout: {@code cache/NAME.zip} (verified archive) and {@code cache/NAME/} (its contents, with
 * a {@code .verified} marker written last). A download goes to a temporary file first and is renamed
 * only once verified, so an interrupted fetch never leaves a file that looks complete.
 */
public final class DatasetFetcher {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

  private final URI base;
  private final Path cache;
  private final Map<String, RemoteDataset> catalogue;
  private final HttpClient http;

  /** Downloads {@code catalogue}'s archives from under {@code base} into {@code cache}. */
  public DatasetFetcher(URI base, Path cache, Map<String, RemoteDataset> catalogue) {
    this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
    this.cache = cache;
    this.catalogue = catalogue;
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
  }

  /** The GroupLens MovieLens catalogue with the cache under {@code ~/.cache/perennial}. */
  public static DatasetFetcher movieLens() {
    return new DatasetFetcher(URI.create(RemoteDataset.GROUPLENS_BASE), defaultCache(), RemoteDataset.MOVIELENS);
  }

  /** {@code $XDG_CACHE_HOME/perennial}, else {@code ~/.cache/perennial}. */
  public static Path defaultCache() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path root = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return root.resolve("perennial");
  }

  /**
   * Returns the unpacked folder of {@code name}, downloading and verifying it unless it is already
   * cached.
   *
   * @param progress receives the bytes downloaded so far (may be called often)
   * @throws FetchException with a one-line reason when the name is unknown, the server fails, or the
   *     archive does not verify
   */
  public Path fetch(String name, LongConsumer progress) {
    RemoteDataset dataset = catalogue.get(name);
    if (dataset == null) {
      throw new FetchException("unknown dataset '" + name + "' (known: " + catalogue.keySet().stream().sorted().toList() + ")");
    }
    Path dir = cache.resolve(name);
    if (Files.exists(dir.resolve(".verified"))) {
      return dir;
    }
    try {
      Files.createDirectories(cache);
      Path archive = cache.resolve(dataset.fileName());
      if (!Files.exists(archive) || !sha256(archive).equals(dataset.sha256())) {
        download(dataset, archive, progress);
      }
      unpack(archive, dir);
      return dir;
    } catch (IOException e) {
      throw new FetchException("cannot fetch " + name + ": " + describe(e, base.resolve(dataset.fileName())));
    }
  }

  /**
   * What went wrong, in words: the JDK's network exceptions often carry no message ({@code
   * ConnectException: null}), so the kind of failure and the host are named here.
   */
  static String describe(IOException error, URI uri) {
    String host = uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    String detail = null;
    for (Throwable t = error; t != null && detail == null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        detail = t.getMessage();
      }
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) {
        return "host " + uri.getHost() + " not found (offline, or no DNS?)";
      }
      if (t instanceof java.net.http.HttpConnectTimeoutException) {
        return "no answer from " + host + " within " + CONNECT_TIMEOUT.toSeconds() + " s (offline, or a firewall?)";
      }
      if (t instanceof java.net.http.HttpTimeoutException) {
        return "download from " + host + " timed out";
      }
      if (t instanceof java.net.ConnectException) {
        return "cannot connect to " + host + " (" + (detail != null ? detail : "connection refused") + "; offline?)";
      }
      if (t instanceof javax.net.ssl.SSLException) {
        return "TLS handshake with " + host + " failed (" + (detail != null ? detail : "no reason given") + ")";
      }
    }
    String kind = error.getClass().getSimpleName();
    return "GET " + uri + " failed: " + (detail != null ? kind + ": " + detail : kind);
  }

  private void download(RemoteDataset dataset, Path archive, LongConsumer progress) throws IOException {
    URI uri = base.resolve(dataset.fileName());
    Path part = Files.createTempFile(cache, dataset.fileName(), ".part");
    try {
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30)).GET().build();
      HttpResponse<InputStream> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
      if (response.statusCode() != 200) {
        response.body().close();
        throw new FetchException("GET " + uri + " answered HTTP " + response.statusCode());
      }
      MessageDigest digest = newDigest();
      long total = 0;
      try (InputStream in = new DigestInputStream(response.body(), digest);
          OutputStream out = Files.newOutputStream(part)) {
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.read(buffer)) > 0) {
          out.write(buffer, 0, n);
          total += n;
          progress.accept(total);
        }
      }
      if (total != dataset.size()) {
        throw new FetchException(
            dataset.fileName() + " from " + uri + " is " + total + " bytes, expected " + dataset.size());
      }
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(dataset.sha256())) {
        throw new FetchException(
            dataset.fileName() + " from " + uri + " has SHA-256 " + actual + ", expected " + dataset.sha256());
      }
      fsync(part);
      moveAtomically(part, archive);
    } finally {
      Files.deleteIfExists(part);
    }
  }

  private void unpack(Path archive, Path dir) throws IOException {
    Path staging = Files.createTempDirectory(cache, dir.getFileName() + ".unpack");
    try {
      try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive))) {
        ZipEntry entry;
        while ((entry = zip.getNextEntry()) != null) {
          // Archives hold a top folder named like the dataset; strip it so files land in dir/.
          String name = entry.getName();
          int slash = name.indexOf('/');
          String relative = slash >= 0 ? name.substring(slash + 1) : name;
          if (relative.isEmpty()) {
            continue;
          }
          Path target = staging.resolve(relative).normalize();
          if (!target.startsWith(staging)) {
            throw new FetchException(archive + " holds an entry outside its folder: " + name);
          }
          if (entry.isDirectory()) {
            Files.createDirectories(target);
          } else {
            Files.createDirectories(target.getParent());
            Files.copy(zip, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      Files.writeString(staging.resolve(".verified"), sha256(archive) + "\n");
      deleteRecursively(dir);
      moveAtomically(staging, dir);
    } finally {
      deleteRecursively(staging);
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static void fsync(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A fetch that failed for a reason the user can act on. */
  public static final class FetchException extends RuntimeException {
    /** A failure described by a one-line {@code message}. */
    public FetchException(String message) {
      super(message);
    }
  }
}
