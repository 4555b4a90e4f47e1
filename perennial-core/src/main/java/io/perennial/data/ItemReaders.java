package io.perennial.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The item file readers behind {@link ItemCatalog}. Every problem is a {@link DataFormatException}
 * naming file, line and field; with {@link ErrorPolicy#SKIP} a bad line is counted and left out.
 */
final class ItemReaders {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] ML100K_GENRES = {"unknown", "Action", "Adventure", "Animation",
      "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror",
      "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"};
  private static final List<String> TAG_NAMES = List.of("tag", "tags");

  private ItemReaders() {}

  /** Where a reader puts what it reads: items in file order, and the lines it had to drop. */
  static final class Sink {
    final Map<String, ItemMetadata> items = new LinkedHashMap<>();
    final List<String> examples = new ArrayList<>();
    final ErrorPolicy policy;
    long skipped;

    Sink(ErrorPolicy policy) {
      this.policy = policy;
    }

    void reject(DataFormatException e) {
      if (policy == ErrorPolicy.FAIL) {
        throw e;
      }
      skipped++;
      if (examples.size() < 5) {
        examples.add(e.getMessage());
      }
    }
  }

  /** {@code movieId,title,genres} with a header; genres separated by {@code |}. */
  static void readMoviesCsv(Path file, Sink sink) {
    forEachRecord(file, Delimiter.COMMA, true, sink, (record, line) -> {
      requireFields(record, 3, file, line);
      String id = FieldParsers.id(record.get(0), file.toString(), line, "movieId");
      sink.items.put(id, ItemMetadata.titled(id, record.get(1).trim(), genres(record.get(2))));
    });
  }

  /** {@code id|title|release|video release|url|19 genre flags}, Latin-1. */
  static void readUItem(Path file, Sink sink) {
    forEachLine(file, StandardCharsets.ISO_8859_1, sink, (text, line) -> {
      String[] f = text.split("\\|", -1);
      if (f.length < 5 + ML100K_GENRES.length) {
        throw new DataFormatException(file, line, null,
            "expected " + (5 + ML100K_GENRES.length) + " |-separated fields, found " + f.length);
      }
      String id = FieldParsers.id(f[0], file.toString(), line, "movie id");
      List<String> genres = new ArrayList<>();
      for (int g = 0; g < ML100K_GENRES.length; g++) {
        String flag = f[5 + g].trim();
        if (!flag.equals("0") && !flag.equals("1")) {
          throw new DataFormatException(file, line, ML100K_GENRES[g],
              "genre flag must be 0 or 1, got " + DataFormatException.quote(flag));
        }
        if (flag.equals("1")) {
          genres.add(ML100K_GENRES[g]);
        }
      }
      sink.items.put(id, ItemMetadata.titled(id, f[1].trim(), genres));
    });
  }

  /** {@code id::title::genres}, genres separated by {@code |}, Latin-1. */
  static void readMoviesDat(Path file, Sink sink) {
    forEachLine(file, StandardCharsets.ISO_8859_1, sink, (text, line) -> {
      String[] f = text.split("::", -1);
      if (f.length != 3) {
        throw new DataFormatException(file, line, null, "expected id::title::genres, found " + f.length + " fields");
      }
      String id = FieldParsers.id(f[0], file.toString(), line, "movie id");
      sink.items.put(id, ItemMetadata.titled(id, f[1].trim(), genres(f[2])));
    });
  }

  /**
   * A tags file: with a header, the item column found by its usual names ({@code movieId}, {@code
   * item}…) and the tag column named {@code tag}; without one, the MovieLens layout {@code
   * userId,movieId,tag,timestamp}. Returns each item's distinct tags in first-seen order.
   */
  static Map<String, List<String>> readTags(Path file, ErrorPolicy policy, long[] skipped, List<String> examples) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    Sink sink = new Sink(policy);
    int[] columns = new int[3]; // item, tag, timestamp (-1: none)
    boolean[] resolved = {false};
    forEachRecord(file, Delimiter.COMMA, false, sink, (record, line) -> {
      if (!resolved[0]) {
        resolved[0] = true;
        int tag = indexOf(record, TAG_NAMES);
        if (tag >= 0) {
          int item = indexOf(record, ItemColumns.ID_NAMES);
          if (item < 0) {
            throw new Fatal(new DataFormatException(file, line, "item", "no item column in header "
                + DataFormatException.excerpt(record.toString()) + " (expected movieId, item, item_id or id)"));
          }
          columns[0] = item;
          columns[1] = tag;
          columns[2] = indexOf(record, List.of("timestamp"));
          return;
        }
        columns[0] = 1;
        columns[1] = 2;
        columns[2] = 3;
      }
      int needed = Math.max(columns[0], Math.max(columns[1], columns[2])) + 1;
      requireFields(record, needed, file, line);
      String item = FieldParsers.id(record.get(columns[0]), file.toString(), line, "movieId");
      if (columns[2] >= 0) {
        FieldParsers.timestamp(record.get(columns[2]), file.toString(), line, "timestamp");
      }
      String tag = record.get(columns[1]).trim();
      if (tag.length() > ItemMetadata.MAX_VALUE_LENGTH) {
        throw new DataFormatException(file, line, "tag", "longer than " + ItemMetadata.MAX_VALUE_LENGTH + " characters");
      }
      List<String> list = out.computeIfAbsent(item, k -> new ArrayList<>());
      if (!tag.isEmpty() && !list.contains(tag)) {
        list.add(tag);
      }
    });
    skipped[0] = sink.skipped;
    examples.addAll(sink.examples);
    return out;
  }

  /** A generic delimited file with a header (or indices) and an {@link ItemColumns} mapping. */
  static void readDelimited(Path file, Delimiter delimiter, HeaderMode headerMode, ItemColumns columns, Sink sink) {
    String name = file.toString();
    Layout[] layout = {null};
    forEachRecord(file, delimiter, false, sink, (record, line) -> {
      if (layout[0] == null) {
        boolean header = switch (headerMode) {
          case PRESENT -> true;
          case ABSENT -> false;
          case DETECT -> looksLikeHeader(record, columns);
        };
        try {
          layout[0] = Layout.resolve(header ? record : null, record.size(), columns, name, line);
        } catch (DataFormatException e) {
          throw new Fatal(e);
        }
        if (header) {
          return;
        }
      }
      Layout l = layout[0];
      String id = FieldParsers.id(cell(record, l.id), name, line, l.names.get(l.id));
      String title = l.title < 0 ? null : cell(record, l.title);
      checkLength(title, name, line, l.title < 0 ? "title" : l.names.get(l.title), ItemMetadata.MAX_TEXT_LENGTH);
      Map<String, String> text = new LinkedHashMap<>();
      for (int i = 0; i < l.text.length; i++) {
        String v = cell(record, l.text[i]);
        checkLength(v, name, line, columns.text().get(i), ItemMetadata.MAX_TEXT_LENGTH);
        if (v != null && !v.isBlank()) {
          text.put(columns.text().get(i), v.trim());
        }
      }
      Map<String, List<String>> categories = new LinkedHashMap<>();
      for (int i = 0; i < l.categorical.length; i++) {
        List<String> values = split(cell(record, l.categorical[i]), columns.separator(), name, line, columns.categorical().get(i));
        if (!values.isEmpty()) {
          categories.put(columns.categorical().get(i), values);
        }
      }
      Map<String, Double> numbers = new LinkedHashMap<>();
      for (int i = 0; i < l.numeric.length; i++) {
        String v = cell(record, l.numeric[i]);
        if (v != null && !v.isBlank()) {
          numbers.put(columns.numeric().get(i), number(v, name, line, columns.numeric().get(i)));
        }
      }
      List<String> tags = new ArrayList<>();
      for (int i = 0; i < l.tags.length; i++) {
        for (String t : split(cell(record, l.tags[i]), columns.separator(), name, line, columns.tags().get(i))) {
          if (!tags.contains(t)) {
            tags.add(t);
          }
        }
      }
      sink.items.put(id, new ItemMetadata(id, title == null ? null : title.trim(), text, categories, numbers, tags));
    });
  }

  /**
   * JSON Lines: one object per line. Members named by {@code columns} (a title and text fields as
   * strings, categorical fields and tags as strings split by the separator or arrays of strings,
   * numeric fields as numbers); when none of those is mapped, the {@link ItemMetadataJson} form.
   */
  static void readJsonLines(Path file, ItemColumns columns, Sink sink) {
    String name = file.toString();
    boolean nested = columns.text().isEmpty() && columns.categorical().isEmpty() && columns.numeric().isEmpty()
        && columns.tags().isEmpty() && columns.id() == null && columns.title() == null;
    forEachLine(file, StandardCharsets.UTF_8, sink, (text, line) -> {
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        throw new DataFormatException(name, line, null, "malformed JSON: " + DataFormatException.excerpt(e.getOriginalMessage()));
      }
      if (node == null || !node.isObject()) {
        throw new DataFormatException(name, line, null, "expected a JSON object");
      }
      ItemMetadata item;
      if (nested) {
        try {
          item = ItemMetadataJson.fromJson(node, null);
        } catch (ItemMetadataJson.Invalid e) {
          throw new DataFormatException(name, line, e.field().isEmpty() ? null : e.field(), e.getMessage());
        }
      } else {
        item = flatJson(node, columns, name, line);
      }
      sink.items.put(item.id(), item);
    });
  }

  private static ItemMetadata flatJson(JsonNode node, ItemColumns columns, String file, long line) {
    String idName = columns.id() == null ? "id" : columns.id();
    String titleName = columns.title() == null ? "title" : columns.title();
    JsonNode idNode = node.get(idName);
    if (idNode == null || idNode.isNull()) {
      throw new DataFormatException(file, line, idName, "missing");
    }
    if (!idNode.isTextual() && !idNode.isIntegralNumber()) {
      throw new DataFormatException(file, line, idName, "expected a string or an integer, got " + idNode.getNodeType());
    }
    String id = FieldParsers.id(idNode.asText(), file, line, idName);
    String title = jsonText(node, titleName, file, line);
    Map<String, String> text = new LinkedHashMap<>();
    for (String f : columns.text()) {
      String v = jsonText(node, f, file, line);
      if (v != null && !v.isBlank()) {
        text.put(f, v.trim());
      }
    }
    Map<String, List<String>> categories = new LinkedHashMap<>();
    for (String f : columns.categorical()) {
      List<String> v = jsonValues(node, f, columns.separator(), file, line);
      if (!v.isEmpty()) {
        categories.put(f, v);
      }
    }
    Map<String, Double> numbers = new LinkedHashMap<>();
    for (String f : columns.numeric()) {
      JsonNode v = node.get(f);
      if (v == null || v.isNull()) {
        continue;
      }
      if (!v.isNumber()) {
        throw new DataFormatException(file, line, f, "expected a number, got " + v.getNodeType());
      }
      if (!Double.isFinite(v.asDouble())) {
        throw new DataFormatException(file, line, f, "not finite");
      }
      numbers.put(f, v.asDouble());
    }
    List<String> tags = new ArrayList<>();
    for (String f : columns.tags()) {
      for (String t : jsonValues(node, f, columns.separator(), file, line)) {
        if (!tags.contains(t)) {
          tags.add(t);
        }
      }
    }
    return new ItemMetadata(id, title, text, categories, numbers, tags);
  }

  private static String jsonText(JsonNode node, String field, String file, long line) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new DataFormatException(file, line, field, "expected a string, got " + v.getNodeType());
    }
    checkLength(v.asText(), file, line, field, ItemMetadata.MAX_TEXT_LENGTH);
    return v.asText();
  }

  private static List<String> jsonValues(JsonNode node, String field, String separator, String file, long line) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (v.isTextual()) {
      return split(v.asText(), separator, file, line, field);
    }
    if (!v.isArray()) {
      throw new DataFormatException(file, line, field, "expected a string or an array of strings, got " + v.getNodeType());
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw new DataFormatException(file, line, field, "expected an array of strings, found " + e.getNodeType());
      }
      String s = e.asText().trim();
      checkLength(s, file, line, field, ItemMetadata.MAX_VALUE_LENGTH);
      if (!s.isEmpty() && !out.contains(s)) {
        out.add(s);
      }
    }
    return out;
  }

  /** Column positions of a generic delimited file, and the name each is reported by. */
  private record Layout(int id, int title, int[] text, int[] categorical, int[] numeric, int[] tags, Map<Integer, String> names) {

    static Layout resolve(List<String> header, int width, ItemColumns c, String file, long line) {
      Map<Integer, String> names = new LinkedHashMap<>();
      int id = c.id() == null ? find(header, ItemColumns.ID_NAMES, file, line, "id", width)
          : column(header, c.id(), file, line, "id", width);
      names.put(id, c.id() != null ? c.id() : header == null ? "id" : header.get(id).trim());
      int title = c.title() == null ? (header == null ? -1 : indexOf(header, ItemColumns.TITLE_NAMES))
          : column(header, c.title(), file, line, "title", width);
      if (title >= 0) {
        names.put(title, c.title() != null ? c.title() : header.get(title).trim());
      }
      return new Layout(id, title, columns(header, c.text(), file, line, width),
          columns(header, c.categorical(), file, line, width), columns(header, c.numeric(), file, line, width),
          columns(header, c.tags(), file, line, width), names);
    }

    private static int[] columns(List<String> header, List<String> wanted, String file, long line, int width) {
      int[] out = new int[wanted.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = column(header, wanted.get(i), file, line, wanted.get(i), width);
      }
      return out;
    }

    private static int column(List<String> header, String wanted, String file, long line, String role, int width) {
      if (ColumnMapping.isIndex(wanted)) {
        int index = Integer.parseInt(wanted);
        if (index >= width) {
          throw new DataFormatException(file, line, role, "column index " + index + " is beyond the " + width
              + " columns of the first row");
        }
        return index;
      }
      if (header == null) {
        throw new DataFormatException(file, line, role, "the first row is data, not a header, so column "
            + DataFormatException.quote(wanted) + " cannot be found by name; give its 0-based index");
      }
      for (int i = 0; i < header.size(); i++) {
        if (header.get(i).trim().equalsIgnoreCase(wanted.trim())) {
          return i;
        }
      }
      throw new DataFormatException(file, line, role, "no column named " + DataFormatException.quote(wanted)
          + " in header " + DataFormatException.excerpt(header.toString()));
    }

    private static int find(List<String> header, List<String> names, String file, long line, String role, int width) {
      if (header == null) {
        return 0;
      }
      int at = indexOf(header, names);
      if (at < 0) {
        throw new DataFormatException(file, line, role, "no item id column in header "
            + DataFormatException.excerpt(header.toString()) + " (expected id, item, item_id, movieId, product_id or sku; "
            + "name it with a column mapping)");
      }
      return at;
    }
  }

  private static boolean looksLikeHeader(List<String> first, ItemColumns columns) {
    for (String cell : first) {
      String c = cell.trim().toLowerCase(Locale.ROOT);
      if (ItemColumns.ID_NAMES.contains(c) || ItemColumns.TITLE_NAMES.contains(c)) {
        return true;
      }
      for (String wanted : named(columns)) {
        if (wanted.equalsIgnoreCase(c)) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<String> named(ItemColumns c) {
    List<String> out = new ArrayList<>();
    if (c.id() != null) {
      out.add(c.id());
    }
    if (c.title() != null) {
      out.add(c.title());
    }
    out.addAll(c.text());
    out.addAll(c.categorical());
    out.addAll(c.numeric());
    out.addAll(c.tags());
    out.removeIf(ColumnMapping::isIndex);
    return out;
  }

  private static int indexOf(List<String> header, List<String> names) {
    for (int i = 0; i < header.size(); i++) {
      if (names.contains(header.get(i).trim().toLowerCase(Locale.ROOT))) {
        return i;
      }
    }
    return -1;
  }

  private static String cell(List<String> record, int index) {
    return index < 0 || index >= record.size() ? null : record.get(index);
  }

  private static void checkLength(String value, String file, long line, String field, int max) {
    if (value != null && value.length() > max) {
      throw new DataFormatException(file, line, field, "longer than " + max + " characters (" + value.length() + ")");
    }
  }

  private static double number(String raw, String file, long line, String field) {
    double v;
    try {
      v = Double.parseDouble(raw.trim());
    } catch (NumberFormatException e) {
      throw new DataFormatException(file, line, field, "not a number: " + DataFormatException.quote(raw));
    }
    if (!Double.isFinite(v)) {
      throw new DataFormatException(file, line, field, "not finite: " + DataFormatException.quote(raw));
    }
    return v;
  }

  private static List<String> split(String cell, String separator, String file, long line, String field) {
    if (cell == null || cell.isBlank()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String part : cell.split(Pattern.quote(separator), -1)) {
      String v = part.trim();
      checkLength(v, file, line, field, ItemMetadata.MAX_VALUE_LENGTH);
      if (!v.isEmpty() && !out.contains(v)) {
        out.add(v);
      }
    }
    return out;
  }

  private static List<String> genres(String field) {
    String trimmed = field.trim();
    if (trimmed.isEmpty() || trimmed.equals("(no genres listed)")) {
      return List.of();
    }
    return List.copyOf(Arrays.asList(trimmed.split(Pattern.quote("|"))));
  }

  private static void requireFields(List<String> record, int n, Path file, long line) {
    if (record.size() < n) {
      throw new DataFormatException(file, line, null, "expected " + n + " fields, found " + record.size());
    }
  }

  private interface RecordConsumer {
    void accept(List<String> record, long line);
  }

  private interface LineConsumer {
    void accept(String text, long line);
  }

  /** A problem that leaves the rest of the file unreadable (a header without its columns): never skipped. */
  private static final class Fatal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final DataFormatException problem;

    Fatal(DataFormatException problem) {
      super(problem.getMessage(), problem, false, false);
      this.problem = problem;
    }
  }

  /**
   * Each record (the first one too unless {@code skipHeader}), bad ones handed to the sink; a line
   * that cannot be split into fields at all fails the read when it is the first (the header).
   */
  private static void forEachRecord(Path file, Delimiter delimiter, boolean skipHeader, Sink sink, RecordConsumer consumer) {
    try (DelimitedRecords records = new DelimitedRecords(new TextLines(file, StandardCharsets.UTF_8), delimiter, true)) {
      boolean first = true;
      while (true) {
        DelimitedRecords.Row row;
        try {
          row = records.next();
        } catch (DataFormatException e) {
          if (first) {
            throw e; // the header or layout line: nothing after it can be read sensibly
          }
          sink.reject(e);
          continue;
        }
        if (row == null) {
          return;
        }
        boolean header = first && skipHeader;
        if (!header) {
          try {
            consumer.accept(row.fields(), row.line());
          } catch (DataFormatException e) {
            sink.reject(e);
          } catch (Fatal f) {
            throw f.problem;
          }
        }
        first = false;
      }
    }
  }

  private static void forEachLine(Path file, Charset charset, Sink sink, LineConsumer consumer) {
    try (TextLines lines = new TextLines(file, charset)) {
      TextLines.Line line;
      while ((line = lines.next()) != null) {
        try {
          if (line.problem() != null) {
            throw new DataFormatException(file, line.number(), null, line.problem());
          }
          if (!line.text().isBlank()) {
            consumer.accept(line.text(), line.number());
          }
        } catch (DataFormatException e) {
          sink.reject(e);
        }
      }
    }
  }
}
