package io.perennial.data;

import java.io.Closeable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits the lines of a delimited file into records. With quoting (CSV), a field that starts with
 * {@code "} runs to the next lone {@code "} ({@code ""} is a literal quote) and may span line
 * breaks, up to {@value #MAX_QUOTED_LINES} lines; a quote still open after that or at the end of
 * the file is an unterminated quote on the line that opened it, and reading resumes on the line
 * after it, so {@link ErrorPolicy#SKIP} loses that line only. Blank lines are skipped.
 */
final class DelimitedRecords implements Closeable {

  /** Most lines one quoted field may span before its quote counts as unterminated. */
  static final int MAX_QUOTED_LINES = 100;

  /** One record and the line it starts on. */
  record Row(long line, List<String> fields) {}

  private final TextLines lines;
  private final Delimiter delimiter;
  private final boolean quoting;
  private final Deque<TextLines.Line> replay = new ArrayDeque<>();

  DelimitedRecords(TextLines lines, Delimiter delimiter, boolean quoting) {
    this.lines = lines;
    this.delimiter = delimiter;
    this.quoting = quoting && !delimiter.isWhitespace();
  }

  /**
   * The next record, or {@code null} at the end of the file.
   *
   * @throws DataFormatException for a record that cannot be read (bad encoding, bad quoting); the
   *     record is consumed, so the next call reads on
   */
  Row next() {
    while (true) {
      TextLines.Line line = nextLine();
      if (line == null) {
        return null;
      }
      if (line.problem() != null) {
        throw new DataFormatException(lines.file(), line.number(), null, line.problem());
      }
      if (line.text().isBlank()) {
        continue;
      }
      if (delimiter.isWhitespace()) {
        return new Row(line.number(), splitWhitespace(line.text()));
      }
      if (!quoting || line.text().indexOf('"') < 0) {
        return new Row(line.number(), split(line.text(), delimiter.separator()));
      }
      return new Row(line.number(), splitQuoted(line));
    }
  }

  private TextLines.Line nextLine() {
    return replay.isEmpty() ? lines.next() : replay.pollFirst();
  }

  private static List<String> split(String text, String separator) {
    List<String> fields = new ArrayList<>(8);
    int start = 0;
    int at;
    while ((at = text.indexOf(separator, start)) >= 0) {
      fields.add(text.substring(start, at));
      start = at + separator.length();
    }
    fields.add(text.substring(start));
    return fields;
  }

  private static List<String> splitWhitespace(String text) {
    List<String> fields = new ArrayList<>(4);
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && isBlank(text.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !isBlank(text.charAt(i))) {
        i++;
      }
      if (i > start) {
        fields.add(text.substring(start, i));
      }
    }
    return fields;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  private List<String> splitQuoted(TextLines.Line first) {
    String separator = delimiter.separator();
    List<String> fields = new ArrayList<>(8);
    List<TextLines.Line> continued = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    String text = first.text();
    int i = 0;
    boolean atFieldStart = true;
    boolean inQuotes = false;
    int openedAt = 0;
    long openedOn = first.number();
    long lineNumber = first.number();
    while (true) {
      if (i == text.length()) {
        if (!inQuotes) {
          fields.add(field.toString());
          return fields;
        }
        TextLines.Line next = continued.size() == MAX_QUOTED_LINES ? null : nextLine();
        if (next == null) {
          // Give the lines back: they are most likely rows of their own after a stray quote.
          for (int k = continued.size() - 1; k >= 0; k--) {
            replay.addFirst(continued.get(k));
          }
          throw new DataFormatException(lines.file(), first.number(), null, "unterminated quote (opened "
              + (openedOn == first.number() ? "" : "on line " + openedOn + " ") + "at character " + openedAt + ")");
        }
        if (next.problem() != null) {
          throw new DataFormatException(lines.file(), next.number(), null,
              next.problem() + " (inside a quoted field from line " + first.number() + ")");
        }
        continued.add(next);
        lineNumber = next.number();
        field.append('\n');
        text = next.text();
        i = 0;
        continue;
      }
      char c = text.charAt(i);
      if (inQuotes) {
        if (c != '"') {
          field.append(c);
          i++;
        } else if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i += 2;
        } else {
          inQuotes = false;
          i++;
          if (i < text.length() && !text.startsWith(separator, i)) {
            throw new DataFormatException(lines.file(), first.number(), null,
                "unexpected " + DataFormatException.quote(String.valueOf(text.charAt(i)))
                    + " after a closing quote (a quote inside a quoted field is written \"\")");
          }
        }
      } else if (text.startsWith(separator, i)) {
        fields.add(field.toString());
        field.setLength(0);
        i += separator.length();
        atFieldStart = true;
      } else if (c == '"' && atFieldStart) {
        inQuotes = true;
        openedAt = i + 1;
        openedOn = lineNumber;
        atFieldStart = false;
        i++;
      } else {
        field.append(c);
        atFieldStart = false;
        i++;
      }
    }
  }

  @Override
  public void close() {
    lines.close();
  }
}
