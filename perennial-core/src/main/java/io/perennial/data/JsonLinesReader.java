package io.perennial.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads JSON Lines: one object per line with {@code user}, {@code item} and optional {@code value},
 * {@code timestamp} and {@code type} members (names configurable through a {@link ColumnMapping};
 * ids may be strings or numbers). Blank lines are skipped, a UTF-8 byte order mark is dropped, and a
 * line that is not valid UTF-8 is an invalid row. A row without a timestamp gets its row number.
 */
public final class JsonLinesReader {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final ColumnMapping fields;

  /** Member names from {@code fields} (positions make no sense here); unset ones take the standard names. */
  public JsonLinesReader(ColumnMapping fields) {
    this.fields =
        new ColumnMapping(
            orDefault(fields.user(), "user"),
            orDefault(fields.item(), "item"),
            orDefault(fields.value(), "value"),
            orDefault(fields.timestamp(), "timestamp"),
            orDefault(fields.type(), "type"),
            fields.defaultType());
  }

  private static String orDefault(String name, String fallback) {
    return name == null ? fallback : name;
  }

  /** Fields named user, item, value, timestamp, type. */
  public static JsonLinesReader standard() {
    return new JsonLinesReader(
        new ColumnMapping("user", "item", "value", "timestamp", "type", InteractionType.VIEW));
  }

  /** Reads {@code file} into a fresh dataset. */
  public Dataset read(Path file, ReadOptions options) {
    DatasetBuilder builder = new DatasetBuilder(options);
    readInto(file, builder);
    return builder.build();
  }

  /** Reads {@code file} into {@code builder}, sharing its id indexes. */
  public void readInto(Path file, DatasetBuilder builder) {
    String name = file.toString();
    try (TextLines lines = new TextLines(file, StandardCharsets.UTF_8)) {
      TextLines.Line line;
      while ((line = lines.next()) != null) {
        if (line.text() != null && line.text().isBlank()) {
          continue;
        }
        builder.countRow();
        try {
          if (line.problem() != null) {
            throw new DataFormatException(name, line.number(), null, line.problem());
          }
          parseLine(line.text(), name, line.number(), builder);
        } catch (DataFormatException e) {
          builder.reject(e);
        }
      }
    }
  }

  private void parseLine(String text, String file, long line, DatasetBuilder builder) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new DataFormatException(file, line, null, "malformed JSON: " + DataFormatException.excerpt(e.getOriginalMessage()));
    }
    if (node == null || !node.isObject()) {
      throw new DataFormatException(file, line, null, "expected a JSON object");
    }
    String user = FieldParsers.id(scalar(node, fields.user(), file, line), file, line, fields.user());
    String item = FieldParsers.id(scalar(node, fields.item(), file, line), file, line, fields.item());
    float value = 1f;
    if (fields.value() != null && node.has(fields.value())) {
      value = FieldParsers.value(scalar(node, fields.value(), file, line), file, line, fields.value());
    }
    Long timestamp = null;
    if (fields.timestamp() != null && node.has(fields.timestamp())) {
      timestamp =
          FieldParsers.timestamp(
              scalar(node, fields.timestamp(), file, line), file, line, fields.timestamp());
    }
    InteractionType type = fields.defaultType();
    if (fields.type() != null && node.has(fields.type())) {
      type = FieldParsers.type(scalar(node, fields.type(), file, line), file, line, fields.type());
    }
    if (timestamp == null) {
      builder.acceptInFileOrder(user, item, value, type);
    } else {
      builder.accept(user, item, value, timestamp, type);
    }
  }

  private static String scalar(JsonNode node, String field, String file, long line) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new DataFormatException(file, line, field, "missing");
    }
    if (!v.isValueNode()) {
      throw new DataFormatException(file, line, field, "expected a string or number, got " + v.getNodeType());
    }
    return v.asText();
  }
}
