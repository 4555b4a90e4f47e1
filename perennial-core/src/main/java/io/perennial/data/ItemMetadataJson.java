package io.perennial.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON form of an {@link ItemMetadata}, shared by the stored catalogue beside a model and the
 * server's item routes: {@code {"id": "1", "title": "…", "text": {"plot": "…"}, "categories":
 * {"genres": ["Drama"]}, "numbers": {"year": 1995}, "tags": ["pixar"]}}. Reading checks every
 * member and names the first one at fault, so bad input never becomes a half-read item.
 */
public final class ItemMetadataJson {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> MEMBERS = Set.of("id", "title", "text", "categories", "numbers", "tags");

  private ItemMetadataJson() {}

  /** A problem with one member, named as a path such as {@code categories.genres[2]}. */
  public static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String field;

    /** A problem with {@code field} (a member path, or empty for the item as a whole). */
    public Invalid(String field, String message) {
      super(message);
      this.field = field;
    }

    /** The member at fault, e.g. {@code numbers.year}; empty for the item as a whole. */
    public String field() {
      return field;
    }
  }

  /** The JSON object of {@code item}. */
  public static ObjectNode toJson(ItemMetadata item) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", item.id());
    if (item.title() != null) {
      o.put("title", item.title());
    }
    if (!item.text().isEmpty()) {
      ObjectNode text = o.putObject("text");
      item.text().forEach(text::put);
    }
    if (!item.categories().isEmpty()) {
      ObjectNode cats = o.putObject("categories");
      item.categories().forEach((k, v) -> v.forEach(cats.putArray(k)::add));
    }
    if (!item.numbers().isEmpty()) {
      ObjectNode nums = o.putObject("numbers");
      item.numbers().forEach(nums::put);
    }
    if (!item.tags().isEmpty()) {
      item.tags().forEach(o.putArray("tags")::add);
    }
    return o;
  }

  /**
   * Reads one item object.
   *
   * @param node the object
   * @param id the id it must have ({@code PUT /v1/items/{id}}; an {@code id} member, if any, must
   *     agree), or {@code null} when the object carries its own
   * @throws Invalid naming the first member at fault: unknown members, wrong types, ids that break
   *     the {@link Ids} rule, values over the {@link ItemMetadata} limits
   */
  public static ItemMetadata fromJson(JsonNode node, String id) {
    if (node == null || !node.isObject()) {
      throw new Invalid("", "an item must be a JSON object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!MEMBERS.contains(name)) {
        throw new Invalid(cut(name), "unknown field (expected id, title, text, categories, numbers, tags)");
      }
    }
    String itemId = id;
    JsonNode idNode = node.get("id");
    if (idNode != null && !idNode.isNull()) {
      String given;
      if (idNode.isTextual()) {
        given = idNode.asText();
      } else if (idNode.isIntegralNumber() && idNode.canConvertToLong()) {
        given = Long.toString(idNode.asLong());
      } else {
        throw new Invalid("id", "must be a string or an integer");
      }
      String problem = Ids.problem(given);
      if (problem != null) {
        throw new Invalid("id", problem);
      }
      if (id != null && !id.equals(given)) {
        throw new Invalid("id", "does not match the id in the path (" + DataFormatException.quote(id) + ")");
      }
      itemId = given;
    }
    if (itemId == null) {
      throw new Invalid("id", "required");
    }
    String title = null;
    JsonNode t = node.get("title");
    if (t != null && !t.isNull()) {
      title = text(t, "title", ItemMetadata.MAX_TEXT_LENGTH);
    }
    Map<String, String> text = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : members(node, "text")) {
      text.put(e.getKey(), text(e.getValue(), "text." + e.getKey(), ItemMetadata.MAX_TEXT_LENGTH));
    }
    Map<String, List<String>> categories = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : members(node, "categories")) {
      categories.put(e.getKey(), values(e.getValue(), "categories." + e.getKey()));
    }
    Map<String, Double> numbers = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : members(node, "numbers")) {
      String field = "numbers." + e.getKey();
      JsonNode v = e.getValue();
      if (!v.isNumber()) {
        throw new Invalid(field, "must be a number");
      }
      double d = v.asDouble();
      if (!Double.isFinite(d)) {
        throw new Invalid(field, "must be finite");
      }
      numbers.put(e.getKey(), d);
    }
    JsonNode tagNode = node.get("tags");
    List<String> tags = tagNode == null || tagNode.isNull() ? List.of() : values(tagNode, "tags");
    return new ItemMetadata(itemId, title, text, categories, numbers, tags);
  }

  private static List<Map.Entry<String, JsonNode>> members(JsonNode node, String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isObject()) {
      throw new Invalid(name, "must be an object of named fields");
    }
    if (v.size() > ItemMetadata.MAX_FIELDS) {
      throw new Invalid(name, "at most " + ItemMetadata.MAX_FIELDS + " fields, got " + v.size());
    }
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    v.fields().forEachRemaining(e -> {
      String problem = fieldNameProblem(e.getKey());
      if (problem != null) {
        throw new Invalid(name + "." + cut(e.getKey()), problem);
      }
      out.add(e);
    });
    return out;
  }

  /**
   * What is wrong with a field name, or {@code null}: 1 to {@value ItemMetadata#MAX_FIELD_NAME}
   * letters, digits, {@code _}, {@code -} or {@code .}, so names read plainly in a text template
   * and an error message.
   */
  public static String fieldNameProblem(String name) {
    if (name.isEmpty() || name.length() > ItemMetadata.MAX_FIELD_NAME) {
      return "a field name has 1 to " + ItemMetadata.MAX_FIELD_NAME + " characters";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.'))) {
        return "a field name may hold only ASCII letters, digits, '_', '-' and '.'";
      }
    }
    return null;
  }

  private static String text(JsonNode v, String field, int max) {
    if (!v.isTextual()) {
      throw new Invalid(field, "must be a string");
    }
    String s = v.asText();
    if (s.length() > max) {
      throw new Invalid(field, "longer than " + max + " characters (" + s.length() + ")");
    }
    if (s.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
      throw new Invalid(field, "contains a control character");
    }
    return s;
  }

  private static List<String> values(JsonNode v, String field) {
    if (!v.isArray()) {
      throw new Invalid(field, "must be an array of strings");
    }
    if (v.size() > ItemMetadata.MAX_VALUES) {
      throw new Invalid(field, "at most " + ItemMetadata.MAX_VALUES + " values, got " + v.size());
    }
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      String s = text(v.get(i), field + "[" + i + "]", ItemMetadata.MAX_VALUE_LENGTH);
      if (!s.isBlank() && !out.contains(s)) {
        out.add(s);
      }
    }
    return out;
  }

  private static String cut(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
