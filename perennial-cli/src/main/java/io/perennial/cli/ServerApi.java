package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The few calls {@code bench serve} makes to a server it loads: the load itself and its figures. */
final class ServerApi {

  private final HttpClient client;
  private final String base;
  private final String authorization;

  ServerApi(HttpClient client, String base, String key) {
    this.client = client;
    this.base = base;
    this.authorization = "Bearer " + key;
  }

  /** GETs {@code path} (or POSTs {@code jsonBody} when given) and returns the status; the body is discarded. */
  int status(String path, String jsonBody) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization);
    if (jsonBody != null) {
      request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(jsonBody));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return Json.MAPPER.readTree(response.body());
  }

  /** The server JVM's heap and collector figures, from its Prometheus exposition. */
  JvmFigures jvm() throws IOException, InterruptedException {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
        .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET /metrics: HTTP " + response.statusCode());
    }
    return JvmFigures.parse(response.body());
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
      double gcPauseSeconds, double gcPauseMaxSeconds) {

    static JvmFigures parse(String exposition) {
      double heap = 0;
      double live = 0;
      double allocated = 0;
      double pauses = 0;
      double pauseSeconds = 0;
      double pauseMax = 0;
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
        }
      }
      return new JvmFigures((long) heap, (long) live, (long) allocated, (long) pauses, pauseSeconds, pauseMax);
    }
  }
}
