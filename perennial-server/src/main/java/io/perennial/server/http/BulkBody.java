package io.perennial.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shapes a bulk ingest body takes — one object, a JSON array, or JSON Lines — walked record by
 * record into a parser's validation, with one batch limit. Shared by the event and item routes so
 * both number records, count them and refuse oversized batches the same way.
 */
final class BulkBody {

  /** Records one request may carry, whatever the shape. */
  static final int MAX_BATCH = 10_000;

  /**
   * What a parser does with each record: validates it ({@link #check}, counting it with {@link
   * #counted} or refusing it with {@link #reject}), and keeps one error entry per refused record,
   * named by its array index or line number.
   */
  abstract static class Records {
    private final String positionName;
    private final List<Map<String, Object>> errors = new ArrayList<>();
    private int total;

    /** @param positionName {@code index} (array bodies) or {@code line} (JSON Lines) */
    Records(String positionName) {
      this.positionName = positionName;
    }

    abstract void check(int position, JsonNode node);

    /** A record that is not even one JSON value. */
    final void malformed(int line, String problem) {
      reject(line, "", problem);
    }

    final void counted() {
      total++;
    }

    final void reject(int position, String field, String message) {
      total++;
      Map<String, Object> err = new LinkedHashMap<>();
      err.put(positionName, position);
      err.put("field", field);
      err.put("message", message);
      errors.add(err);
    }

    /** One entry per refused record: {index or line, field, message}. */
    final List<Map<String, Object>> errors() {
      return errors;
    }

    /** Records in the body, valid or not. */
    final int total() {
      return total;
    }
  }

  private BulkBody() {}

  /**
   * An object or an array of objects, positions being array indices ({@code noun}: "event",
   * "item", for the messages).
   */
  static void eachValue(JsonNode body, String noun, Records records) {
    if (body != null && body.isArray()) {
      if (body.size() == 0) {
        throw ApiException.badRequest("the " + noun + " array is empty");
      }
      checkBatchSize(body.size(), noun);
      for (int i = 0; i < body.size(); i++) {
        records.check(i, body.get(i));
      }
    } else if (body != null && body.isObject()) {
      records.check(0, body);
    } else {
      throw ApiException.badRequest("the body must be an " + noun + " object or a JSON array of " + noun + "s");
    }
  }

  /**
   * JSON Lines: each non-blank line one record, numbered from 1 as the client counts them (blank
   * lines count but carry nothing). A line that is not one JSON value is an invalid record like
   * any other, so {@code partial} can leave it out.
   */
  static void eachLine(ObjectMapper json, byte[] body, String noun, Records records) {
    int line = 0;
    int count = 0;
    for (int start = 0; start < body.length; ) {
      int end = start;
      while (end < body.length && body[end] != '\n') {
        end++;
      }
      line++;
      try {
        JsonNode node = JsonBody.readOne(json, body, start, end - start);
        if (node != null) {
          checkBatchSize(++count, noun);
          records.check(line, node);
        }
      } catch (JsonBody.Malformed m) {
        checkBatchSize(++count, noun);
        records.malformed(line, m.trailing ? "more than one JSON value on the line (column " + m.column + ")" : m.getMessage());
      }
      start = end + 1;
    }
    if (count == 0) {
      throw ApiException.badRequest("the JSON Lines body holds no " + noun + "s");
    }
  }

  private static void checkBatchSize(int count, String noun) {
    if (count > MAX_BATCH) {
      throw new ApiException(413, "batch_too_large", "at most " + MAX_BATCH + " " + noun + "s per request, got "
          + (count == MAX_BATCH + 1 ? "more" : String.valueOf(count)));
    }
  }
}
