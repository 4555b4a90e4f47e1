package io.perennial.content;

import io.perennial.data.ItemMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns an item's metadata into the one text the encoder reads, through a template. {@code {name}}
 * is a placeholder: {@code title}, {@code id}, {@code tags}, {@code text} (every free-text field),
 * {@code categories} (every categorical value), or the name of one text, categorical or numeric
 * field; lists are joined with {@code ", "} and {@code {name:N}} keeps the first N values. A
 * section in {@code [...]} is left out when all its placeholders are empty, so {@code
 * "{title}[. Genres: {genres}]"} gives {@code "Heat (1995). Genres: Action, Crime"} or just {@code
 * "Heat (1995)"}. Whitespace runs become one space, and separators left at the start are dropped.
 */
public final class ItemText {

  /** Title, genres, up to 30 tags and the description fields. */
  public static final String DEFAULT_TEMPLATE = "{title}[. Genres: {genres}][. Tags: {tags:30}][. {text}]";

  private sealed interface Part permits Literal, Placeholder, Section {}

  private record Literal(String text) implements Part {}

  private record Placeholder(String name, int limit) implements Part {}

  private record Section(List<Part> parts) implements Part {}

  private final String template;
  private final List<Part> parts;

  private ItemText(String template, List<Part> parts) {
    this.template = template;
    this.parts = parts;
  }

  /** The default template. */
  public static ItemText defaults() {
    return parse(DEFAULT_TEMPLATE);
  }

  /**
   * Parses a template.
   *
   * @throws IllegalArgumentException naming the position of an unbalanced brace or bracket, a
   *     nested section, an empty placeholder or a bad limit, or a template with no placeholder
   */
  public static ItemText parse(String template) {
    if (template == null || template.isBlank()) {
      throw new IllegalArgumentException("the item text template is empty");
    }
    List<Part> top = new ArrayList<>();
    List<Part> section = null;
    StringBuilder literal = new StringBuilder();
    int placeholders = 0;
    int sectionStart = -1;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      List<Part> target = section == null ? top : section;
      switch (c) {
        case '{' -> {
          int end = template.indexOf('}', i);
          if (end < 0) {
            throw bad(template, i, "'{' is never closed");
          }
          flush(literal, target);
          target.add(placeholder(template, i, template.substring(i + 1, end)));
          placeholders++;
          i = end;
        }
        case '}' -> throw bad(template, i, "'}' without a '{'");
        case '[' -> {
          if (section != null) {
            throw bad(template, i, "sections in [...] do not nest");
          }
          flush(literal, target);
          section = new ArrayList<>();
          sectionStart = i;
        }
        case ']' -> {
          if (section == null) {
            throw bad(template, i, "']' without a '['");
          }
          flush(literal, section);
          top.add(new Section(List.copyOf(section)));
          section = null;
        }
        default -> literal.append(c);
      }
    }
    if (section != null) {
      throw bad(template, sectionStart, "'[' is never closed");
    }
    flush(literal, top);
    if (placeholders == 0) {
      throw new IllegalArgumentException("the item text template " + quote(template)
          + " has no placeholder such as {title}: every item would read the same");
    }
    return new ItemText(template, List.copyOf(top));
  }

  private static Placeholder placeholder(String template, int at, String body) {
    String name = body;
    int limit = Integer.MAX_VALUE;
    int colon = body.indexOf(':');
    if (colon >= 0) {
      name = body.substring(0, colon);
      String n = body.substring(colon + 1).trim();
      try {
        limit = Integer.parseInt(n);
      } catch (NumberFormatException e) {
        throw bad(template, at, "the limit in {" + body + "} is not a whole number");
      }
      if (limit < 1) {
        throw bad(template, at, "the limit in {" + body + "} must be at least 1");
      }
    }
    name = name.trim();
    if (name.isEmpty()) {
      throw bad(template, at, "a placeholder needs a name, e.g. {title}");
    }
    return new Placeholder(name, limit);
  }

  private static void flush(StringBuilder literal, List<Part> target) {
    if (literal.length() > 0) {
      target.add(new Literal(literal.toString()));
      literal.setLength(0);
    }
  }

  private static IllegalArgumentException bad(String template, int at, String problem) {
    return new IllegalArgumentException("item text template " + quote(template) + ", character " + (at + 1) + ": " + problem);
  }

  private static String quote(String s) {
    return "'" + (s.length() <= 100 ? s : s.substring(0, 100) + "…") + "'";
  }

  /** The template as given. */
  public String template() {
    return template;
  }

  /** The item's text. */
  public String render(ItemMetadata item) {
    StringBuilder out = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Section s) {
        StringBuilder inner = new StringBuilder();
        boolean any = false;
        for (Part q : s.parts()) {
          if (q instanceof Placeholder ph) {
            String v = value(item, ph);
            any |= !v.isEmpty();
            inner.append(v);
          } else if (q instanceof Literal l) {
            inner.append(l.text());
          }
        }
        if (any) {
          out.append(inner);
        }
      } else if (p instanceof Placeholder ph) {
        out.append(value(item, ph));
      } else if (p instanceof Literal l) {
        out.append(l.text());
      }
    }
    return tidy(out);
  }

  private static String value(ItemMetadata item, Placeholder p) {
    String name = p.name();
    switch (name.toLowerCase(Locale.ROOT)) {
      case "title" -> {
        return item.title() == null ? "" : item.title().strip();
      }
      case "id" -> {
        return item.id();
      }
      case "tags" -> {
        return join(item.tags(), p.limit());
      }
      case "text" -> {
        return join(new ArrayList<>(item.text().values()), p.limit(), ". ");
      }
      case "categories" -> {
        List<String> all = new ArrayList<>();
        item.categories().values().forEach(all::addAll);
        return join(all, p.limit());
      }
      default -> {
        // fall through to the item's own fields
      }
    }
    String text = find(item.text(), name);
    if (text != null) {
      return text.strip();
    }
    List<String> values = find(item.categories(), name);
    if (values != null) {
      return join(values, p.limit());
    }
    Double number = find(item.numbers(), name);
    if (number != null) {
      return number == Math.rint(number) && Math.abs(number) < 1e15 ? Long.toString(number.longValue()) : number.toString();
    }
    return "";
  }

  private static <T> T find(Map<String, T> fields, String name) {
    T exact = fields.get(name);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, T> e : fields.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static String join(List<String> values, int limit) {
    return join(values, limit, ", ");
  }

  private static String join(List<String> values, int limit, String separator) {
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (String v : values) {
      String s = v.strip();
      if (s.isEmpty()) {
        continue;
      }
      if (n == limit) {
        break;
      }
      if (n++ > 0) {
        sb.append(separator);
      }
      sb.append(s);
    }
    return sb.toString();
  }

  /** One space for each whitespace run; separators an empty title left at the start go. */
  private static String tidy(CharSequence raw) {
    String s = raw.toString().replaceAll("\\s+", " ").strip();
    int start = 0;
    while (start < s.length() && ".,;:- ".indexOf(s.charAt(start)) >= 0) {
      start++;
    }
    return s.substring(start);
  }
}
