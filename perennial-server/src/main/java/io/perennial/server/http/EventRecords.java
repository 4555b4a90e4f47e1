package io.perennial.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.server.store.NewEvent;
import java.util.Map;

/**
 * Validates one event that arrived outside an HTTP body (a Kafka record): the same JSON object and
 * the same rules as {@code POST /v1/events}, so an event is accepted or refused alike whichever way
 * it came.
 */
public final class EventRecords {

  private EventRecords() {}

  /**
   * One record's outcome: the event, or why it was refused.
   *
   * @param event the valid event ({@code null} when refused)
   * @param field the field at fault ("" for the record as a whole; {@code null} when valid)
   * @param reason what is wrong ({@code null} when valid)
   */
  public record Outcome(NewEvent event, String field, String reason) {
    public boolean valid() {
      return event != null;
    }
  }

  /**
   * Parses {@code value} (UTF-8 JSON, one event object). When the object has no {@code user},
   * {@code userFromKey} (the record's key, if any) stands in for it.
   */
  public static Outcome parse(ObjectMapper json, byte[] value, String userFromKey, long nowSeconds) {
    if (value == null) {
      return new Outcome(null, "", "empty record (no value)");
    }
    JsonNode node;
    try {
      node = JsonBody.readOne(json, value, 0, value.length);
    } catch (JsonBody.Malformed e) {
      return new Outcome(null, "", e.getMessage() + " at " + e.position());
    }
    if (node == null) {
      return new Outcome(null, "", "empty record (only whitespace)");
    }
    if (node.isObject() && !node.hasNonNull("user") && userFromKey != null) {
      ((ObjectNode) node).put("user", userFromKey);
    }
    EventParser.Parsed parsed = EventParser.parse(node, nowSeconds);
    if (parsed.events().size() == 1 && parsed.total() == 1) {
      return new Outcome(parsed.events().get(0), null, null);
    }
    if (parsed.errors().isEmpty()) {
      return new Outcome(null, "", "expected one event object, found " + parsed.total() + " events");
    }
    Map<String, Object> error = parsed.errors().get(0);
    return new Outcome(null, String.valueOf(error.get("field")), String.valueOf(error.get("message")));
  }
}
