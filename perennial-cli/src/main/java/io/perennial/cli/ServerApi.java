package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import java.nio.charset.StandardCharsets;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few calls {@code bench serve} makes to a server it loads: the load itself and its figures.
 *
 * <p>Apache HttpClient's classic API does the I/O on the calling thread: a request costs one
 * wake-up of that thread, where the JDK's client passes each exchange between its selector and
 * executor threads. On a 2-core machine that shares its cores with the server, the load generator's
 * CPU and context switches show up in the very latencies it measures.
 */
final class ServerApi implements AutoCloseable {

  private final CloseableHttpClient client;
  private final String base;
  private final String authorization;

  ServerApi(String base, String key, int connections) {
    PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnTotal(connections).setMaxConnPerRoute(connections)
        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(5))
            .setSocketTimeout(Timeout.ofSeconds(60)).build())
        .build();
    this.client = HttpClients.custom().setConnectionManager(pool).disableAutomaticRetries()
        .disableRedirectHandling().disableCookieManagement().disableContentCompression().disableAuthCaching()
        .build();
    this.base = base;
    this.authorization = "Bearer " + key;
  }

  /** GETs {@code path} (or POSTs {@code jsonBody} when given) and returns the status; the body is read and dropped. */
  int status(String path, String jsonBody) throws IOException {
    ClassicHttpRequest request;
    if (jsonBody == null) {
      request = new HttpGet(base + path);
    } else {
      HttpPost post = new HttpPost(base + path);
      post.setEntity(new StringEntity(jsonBody, ContentType.APPLICATION_JSON));
      request = post;
    }
    request.setHeader("Authorization", authorization);
    return client.execute(request, response -> {
      EntityUtils.consume(response.getEntity());
      return response.getCode();
    });
  }

  JsonNode get(String path) throws IOException {
    return Json.MAPPER.readTree(text(path));
  }

  /** The server JVM's heap and collector figures, from its Prometheus exposition. */
  JvmFigures jvm() throws IOException {
    return JvmFigures.parse(text("/metrics"));
  }

  private String text(String path) throws IOException {
    HttpGet get = new HttpGet(base + path);
    get.setHeader("Authorization", authorization);
    return client.execute(get, response -> {
      String body = EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
      if (response.getCode() != 200) {
        throw new IOException("GET " + path + ": HTTP " + response.getCode() + " " + body);
      }
      return body;
    });
  }

  @Override
  public void close() throws IOException {
    client.close();
  }

  /**
   * Micrometer's JVM meters as Prometheus exposes them.
   *
   * @param heapUsedBytes heap in use, garbage included
   * @param liveAfterGcBytes old generation after the last collection: the live set
   * @param allocatedBytes bytes allocated in the young generation since start
   * @param gcPauses collection pauses since start
   * @param gcPauseSeconds their total length
   * @param gcPauseMaxSeconds the longest in the meter's recent window
   */
  record JvmFigures(long heapUsedBytes, long liveAfterGcBytes, long allocatedBytes, long gcPauses,
      double gcPauseSeconds, double gcPauseMaxSeconds, NavigableMap<Double, Long> visibilityBuckets) {

    private static final String VISIBILITY_BUCKET = "perennial_learner_visibility_seconds_bucket{";

    /**
     * Commit-to-visible delays between {@code earlier} and these figures, from the histogram's
     * cumulative buckets: how many events, the share live within {@code seconds}, and percentiles
     * as the upper bound of the bucket they fall in.
     */
    Visibility visibilitySince(JvmFigures earlier) {
      NavigableMap<Double, Long> window = new TreeMap<>();
      visibilityBuckets.forEach((le, count) -> window.put(le, count - earlier.visibilityBuckets.getOrDefault(le, 0L)));
      return new Visibility(window);
    }

    static JvmFigures parse(String exposition) {
      double heap = 0;
      double live = 0;
      double allocated = 0;
      double pauses = 0;
      double pauseSeconds = 0;
      double pauseMax = 0;
      NavigableMap<Double, Long> buckets = new TreeMap<>();
      for (String line : exposition.split("\n")) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        int space = line.lastIndexOf(' ');
        double value;
        try {
          value = Double.parseDouble(line.substring(space + 1));
        } catch (NumberFormatException e) {
          continue;
        }
        String series = line.substring(0, space);
        if (series.startsWith("jvm_memory_used_bytes{") && series.contains("area=\"heap\"")) {
          heap += value;
        } else if (series.startsWith("jvm_gc_live_data_size_bytes")) {
          live = value;
        } else if (series.startsWith("jvm_gc_memory_allocated_bytes_total")) {
          allocated = value;
        } else if (series.startsWith("jvm_gc_pause_seconds_count")) {
          pauses += value;
        } else if (series.startsWith("jvm_gc_pause_seconds_sum")) {
          pauseSeconds += value;
        } else if (series.startsWith("jvm_gc_pause_seconds_max")) {
          pauseMax = Math.max(pauseMax, value);
        } else if (series.startsWith(VISIBILITY_BUCKET)) {
          Matcher le = LE.matcher(series);
          if (le.find()) {
            buckets.put(le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1)), (long) value);
          }
        }
      }
      return new JvmFigures((long) heap, (long) live, (long) allocated, (long) pauses, pauseSeconds, pauseMax, buckets);
    }
  }

  private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

  /** Cumulative counts of delays at most {@code le} seconds. */
  record Visibility(NavigableMap<Double, Long> cumulative) {

    long events() {
      return cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
    }

    /** Share of events live within {@code seconds}, which must be a bucket bound; NaN without events. */
    double shareWithin(double seconds) {
      Long within = cumulative.get(seconds);
      return events() == 0 || within == null ? Double.NaN : (double) within / events();
    }

    /** Upper bound, in milliseconds, of the bucket holding percentile {@code p}; -1 without events. */
    double percentileAtMostMillis(double p) {
      long n = events();
      if (n == 0) {
        return -1;
      }
      for (var e : cumulative.entrySet()) {
        if (e.getValue() >= Math.ceil(p / 100 * n)) {
          return e.getKey() * 1000;
        }
      }
      return Double.POSITIVE_INFINITY;
    }
  }
}
