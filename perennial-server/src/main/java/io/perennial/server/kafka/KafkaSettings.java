package io.perennial.server.kafka;

import java.util.Map;

/**
 * How {@code serve} talks to Kafka: where the events come from, where refused records and served
 * lists go, and when consumption pauses.
 *
 * @param bootstrap {@code host:port[,host:port…]} of the brokers
 * @param topic the events topic, read from every partition
 * @param group consumer group: the consumed offsets are committed to it after each store commit,
 *     for monitoring only (the store's own offsets decide where reading resumes)
 * @param deadLetterTopic where records that are not valid events go, with the reason and source
 *     partition/offset as headers
 * @param servedTopic where recommendation lists and model version changes are published
 *     ({@code null}: not published)
 * @param maxLearnerLag events the learner may be behind the store before consumption pauses
 *     (it resumes at half of it)
 * @param clientProperties extra client settings (security, timeouts), applied to every client
 */
public record KafkaSettings(String bootstrap, String topic, String group, String deadLetterTopic, String servedTopic,
    long maxLearnerLag, Map<String, String> clientProperties) {

  /** The dead-letter topic's name when none is given: the events topic's with {@code .dead-letter}. */
  public static String defaultDeadLetterTopic(String topic) {
    return topic + ".dead-letter";
  }

  /** Validates and copies. */
  public KafkaSettings {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("the Kafka bootstrap servers are empty");
    }
    for (String server : bootstrap.split(",")) {
      if (!server.strip().matches("(\\[[0-9a-fA-F:.]+\\]|[^:\\s\\[\\]]+):\\d{1,5}")) {
        throw new IllegalArgumentException("bootstrap server '" + server.strip() + "' is not HOST:PORT");
      }
    }
    checkTopic("topic", topic);
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException("the Kafka consumer group is empty");
    }
    if (deadLetterTopic == null || deadLetterTopic.isBlank()) {
      deadLetterTopic = defaultDeadLetterTopic(topic);
    }
    checkTopic("dead-letter topic", deadLetterTopic);
    if (servedTopic != null) {
      checkTopic("served topic", servedTopic);
    }
    if (deadLetterTopic.equals(topic) || topic.equals(servedTopic)) {
      throw new IllegalArgumentException("the dead-letter and served topics must differ from the events topic '" + topic + "'");
    }
    if (maxLearnerLag < 1) {
      throw new IllegalArgumentException("the learner lag limit must be at least 1 event");
    }
    clientProperties = Map.copyOf(clientProperties == null ? Map.of() : clientProperties);
  }

  /** Kafka's rule for topic names: 1–249 of ASCII letters, digits, '.', '_' and '-'. */
  private static void checkTopic(String what, String name) {
    if (name == null || !name.matches("[a-zA-Z0-9._-]{1,249}") || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException("the " + what + " '" + name + "' is not a Kafka topic name "
          + "(1-249 letters, digits, '.', '_' or '-')");
    }
  }

  /** The store's name for this topic's offsets. */
  public String source() {
    return "kafka:" + topic;
  }
}
