package io.perennial.server.http;

/**
 * Where the API reports what it served, so that later feedback can be attributed to the list a
 * user was shown (the Kafka served-topic publisher). Called on request threads: an implementation
 * must return at once and never throw.
 */
public interface ServedLog {

  /** Records nothing; the API then leaves request ids out of its answers. */
  ServedLog NONE = new ServedLog() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void served(Served served) {}
  };

  /** Whether answers are being recorded (and so carry a request id). */
  boolean enabled();

  /** One answer that listed items. */
  void served(Served served);

  /**
   * A recommendation list as answered.
   *
   * @param requestId the id given to the request (the client's {@code X-Request-Id} when valid)
   * @param route the route answered, e.g. {@code /v1/users/{id}/recommendations}
   * @param user the user asked for ({@code null} for a basket or similar-items request)
   * @param subject the item of a similar-items request, else {@code null}
   * @param modelVersion the served model's version
   * @param fallback whether the list is the popularity fallback
   * @param items item ids, best first (position = index + 1)
   * @param scores the scores, parallel to {@code items}
   * @param timeMillis when it was answered, epoch milliseconds
   */
  record Served(String requestId, String route, String user, String subject, long modelVersion, boolean fallback,
      String[] items, float[] scores, long timeMillis) {}
}
