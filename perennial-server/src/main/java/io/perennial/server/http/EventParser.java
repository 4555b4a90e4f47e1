package io.perennial.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Ids;
import io.perennial.data.InteractionType;
import io.perennial.server.store.NewEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates the body of {@code POST /v1/events}: one event object or an array of them, or JSON
 * Lines (one event object per line). Each problem is reported with the event's position (array
 * index or line number) and the field.
 */
final class EventParser {

  static final int MAX_BATCH = BulkBody.MAX_BATCH;
  static final int MAX_ID_LENGTH = Ids.MAX_LENGTH;
  /** Timestamps before 1970 or after year 9999 are mistakes (milliseconds sent as seconds, say). */
  static final long MAX_TIMESTAMP = 253_402_300_799L;
  private static final Set<String> FIELDS = Set.of("user", "item", "type", "value", "timestamp", "id");

  /**
   * The valid events and the problems found (each {index or line, field, message}).
   *
   * @param events the valid events, in body order
   * @param positions each valid event's array index or line number
   * @param errors one entry per invalid event
   * @param total events in the body, valid or not
   */
  record Parsed(List<NewEvent> events, List<Integer> positions, List<Map<String, Object>> errors, int total) {}

  private EventParser() {}

  /** An event object or an array of them. */
  static Parsed parse(JsonNode body, long nowSeconds) {
    Validation v = new Validation("index", nowSeconds);
    BulkBody.eachValue(body, "event", v);
    return v.result();
  }

  /** JSON Lines: each non-blank line one event object, numbered from 1 (see {@link BulkBody#eachLine}). */
  static Parsed parseLines(ObjectMapper json, byte[] body, long nowSeconds) {
    Validation v = new Validation("line", nowSeconds);
    BulkBody.eachLine(json, body, "event", v);
    return v.result();
  }

  /** Collects valid events and errors, naming each event by {@code positionName}. */
  private static final class Validation extends BulkBody.Records {
    private final long nowSeconds;
    private final List<NewEvent> events = new ArrayList<>();
    private final List<Integer> positions = new ArrayList<>();

    Validation(String positionName, long nowSeconds) {
      super(positionName);
      this.nowSeconds = nowSeconds;
    }

    @Override
    void check(int position, JsonNode node) {
      try {
        // an id repeated inside one batch is the same event sent twice; the store keeps it once
        NewEvent e = parseOne(node, nowSeconds);
        counted();
        events.add(e);
        positions.add(position);
      } catch (FieldError fe) {
        reject(position, fe.field, fe.getMessage());
      }
    }

    Parsed result() {
      return new Parsed(events, positions, errors(), total());
    }
  }

  private static NewEvent parseOne(JsonNode n, long nowSeconds) {
    if (!n.isObject()) {
      throw new FieldError("", "an event must be a JSON object");
    }
    for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
      String f = names.next();
      if (!FIELDS.contains(f)) {
        throw new FieldError(truncate(f), "unknown field (expected user, item, type, value, timestamp, id)");
      }
    }
    String user = id(n, "user", true);
    String item = id(n, "item", true);
    String eventId = id(n, "id", false);
    JsonNode t = n.get("type");
    InteractionType type;
    if (t == null || t.isNull()) {
      throw new FieldError("type", "required (view, click, add_to_cart, purchase, rating, like or share)");
    } else if (!t.isTextual()) {
      throw new FieldError("type", "must be a string");
    } else {
      try {
        type = InteractionType.parse(t.asText());
      } catch (IllegalArgumentException e) {
        throw new FieldError("type", "unknown interaction type (expected view, click, add_to_cart, purchase, rating, like or share)");
      }
    }
    float value = 1f;
    JsonNode v = n.get("value");
    if (v != null && !v.isNull()) {
      if (!v.isNumber()) {
        throw new FieldError("value", "must be a number");
      }
      double d = v.asDouble();
      if (!Double.isFinite(d) || Math.abs(d) > 1e6) {
        throw new FieldError("value", "must be a finite number within ±1e6");
      }
      value = (float) d;
    } else if (type == InteractionType.RATING) {
      throw new FieldError("value", "required for a rating");
    }
    long ts = nowSeconds;
    JsonNode time = n.get("timestamp");
    if (time != null && !time.isNull()) {
      if (!time.isIntegralNumber() || !time.canConvertToLong()) {
        throw new FieldError("timestamp", "must be an integer (epoch seconds)");
      }
      ts = time.asLong();
      if (ts < 0 || ts > MAX_TIMESTAMP) {
        throw new FieldError("timestamp", "out of range (epoch seconds between 1970 and 9999)");
      }
    }
    return new NewEvent(eventId, user, item, type, value, ts);
  }

  private static String id(JsonNode n, String field, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new FieldError(field, "required");
      }
      return null;
    }
    String s;
    if (v.isTextual()) {
      s = v.asText();
    } else if (v.isIntegralNumber() && v.canConvertToLong()) {
      s = Long.toString(v.asLong());
    } else {
      throw new FieldError(field, "must be a string or an integer");
    }
    checkId(field, s);
    return s;
  }

  /** The id rule shared with the file readers ({@link Ids}): ids are stored and echoed back. */
  static void checkId(String field, String s) {
    String problem = Ids.problem(s);
    if (problem != null) {
      throw new FieldError(field, problem);
    }
  }

  private static String truncate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }

  /** A problem with one field of one event. */
  static final class FieldError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String field;

    FieldError(String field, String message) {
      super(message);
      this.field = field;
    }
  }
}
