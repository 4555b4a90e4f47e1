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
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("the Kafka topic is empty");
    }
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException("the Kafka consumer group is empty");
    }
    if (deadLetterTopic == null || deadLetterTopic.isBlank()) {
      deadLetterTopic = defaultDeadLetterTopic(topic);
    }
    if (deadLetterTopic.equals(topic) || topic.equals(servedTopic)) {
      throw new IllegalArgumentException("the dead-letter and served topics must differ from the events topic '" + topic + "'");
    }
    if (maxLearnerLag < 1) {
      throw new IllegalArgumentException("the learner lag limit must be at least 1 event");
    }
    clientProperties = Map.copyOf(clientProperties == null ? Map.of() : clientProperties);
  }

  /** The store's name for this topic's offsets. */
  public String source() {
    return "kafka:" + topic;
  }
}
