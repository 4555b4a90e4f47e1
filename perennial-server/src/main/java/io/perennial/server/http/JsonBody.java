package io.perennial.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Reads exactly one JSON value from a request body (or one line of it). Jackson stops at the end
 * of the first value and ignores the rest; here anything but whitespace after it is an error with
 * its position, so a second value is never silently dropped.
 */
final class JsonBody {

  private JsonBody() {}

  /** Why a body is not one JSON value, and where. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;
    /** True when the first value was fine and something followed it. */
    final boolean trailing;
    /** Byte offset from the start of the parsed range (0-based), or -1 when unknown. */
    final long offset;
    /** Line (1-based) and column (1-based) within the parsed range, or -1. */
    final int line;
    final int column;

    Malformed(String message, boolean trailing, byte[] bytes, int from, int at) {
      super(message);
      this.trailing = trailing;
      this.offset = at - from;
      int lines = 1;
      int lineStart = from;
      for (int i = from; i < at; i++) {
        if (bytes[i] == '\n') {
          lines++;
          lineStart = i + 1;
        }
      }
      this.line = lines;
      this.column = at - lineStart + 1;
    }

    Malformed(String message, boolean trailing, JsonLocation at) {
      super(message);
      this.trailing = trailing;
      this.offset = at == null ? -1 : at.getByteOffset();
      this.line = at == null ? -1 : at.getLineNr();
      this.column = at == null ? -1 : at.getColumnNr();
    }

    /** "byte 57 (line 2, column 1)", or as much of it as is known. */
    String position() {
      if (offset < 0) {
        return line > 0 ? "line " + line + ", column " + column : "an unknown position";
      }
      return "byte " + offset + (line > 0 ? " (line " + line + ", column " + column + ")" : "");
    }
  }

  /**
   * The single JSON value in {@code bytes[from, from + length)}, or {@code null} when the range
   * holds only whitespace.
   */
  static JsonNode readOne(ObjectMapper json, byte[] bytes, int from, int length) throws Malformed {
    try (JsonParser parser = json.getFactory().createParser(bytes, from, length)) {
      JsonNode value;
      try {
        value = json.readTree(parser);
      } catch (JsonProcessingException e) {
        throw new Malformed("malformed JSON: " + firstLine(e.getOriginalMessage()), false, e.getLocation());
      }
      if (value == null || value.isMissingNode()) {
        return null;
      }
      // scanned here rather than by asking the parser for a next token: garbage after the value
      // would be reported where Jackson gave up on it, not where it starts
      int end = from + length;
      int at = from + (int) parser.currentLocation().getByteOffset();
      while (at < end && isJsonWhitespace(bytes[at])) {
        at++;
      }
      if (at < end) {
        throw new Malformed("unexpected content after the JSON value", true, bytes, from, at);
      }
      return value;
    } catch (IOException e) {
      // a byte array cannot fail to read; anything else Jackson raises is malformed input
      throw new Malformed("malformed JSON: " + firstLine(e.getMessage()), false, null);
    }
  }

  private static boolean isJsonWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable input";
    }
    String first = message.lines().findFirst().orElse("");
    return first.length() <= 120 ? first : first.substring(0, 120) + "…";
  }
}
