package io.perennial.data;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads delimited text (CSV, TSV, whitespace-separated, MovieLens {@code u.data} and {@code
 * ratings.dat}) with a column mapping, validating each field and naming the file and line of
 * anything wrong. Whether line 1 is a header is told or detected ({@link HeaderMode#DETECT}), and
 * the decision is part of the {@link ReadReport}. Lines are decoded one by one ({@link TextLines}),
 * so a line in another encoding, an unterminated quote or a binary line is one invalid row.
 */
public final class DelimitedReader {

  private final Delimiter delimiter;
  private final boolean quoting;
  private final HeaderMode header;
  private final ColumnMapping columns;
  private final Charset charset;

  /**
   * A reader of files laid out as given.
   *
   * @param delimiter field separator
   * @param quoting whether {@code "} quotes fields, as in CSV (never with {@link Delimiter#WHITESPACE})
   * @param header whether the first line names the columns, or detect it
   */
  public DelimitedReader(
      Delimiter delimiter, boolean quoting, HeaderMode header, ColumnMapping columns, Charset charset) {
    this.delimiter = delimiter;
    this.quoting = quoting;
    this.header = header;
    this.columns = columns;
    this.charset = charset;
  }

  /** Comma-separated, quoted fields, UTF-8, header detected. */
  public static DelimitedReader csv(ColumnMapping columns) {
    return new DelimitedReader(Delimiter.COMMA, true, HeaderMode.DETECT, columns, StandardCharsets.UTF_8);
  }

  /** Tab-separated, no quoting, UTF-8, header detected. */
  public static DelimitedReader tsv(ColumnMapping columns) {
    return new DelimitedReader(Delimiter.TAB, false, HeaderMode.DETECT, columns, StandardCharsets.UTF_8);
  }

  /** Reads {@code file} into a fresh dataset. */
  public Dataset read(Path file, ReadOptions options) {
    DatasetBuilder builder = new DatasetBuilder(options);
    readInto(file, builder);
    return builder.build();
  }

  /** A record or the reason it could not be read, kept in file order while looking ahead. */
  private record Item(DelimitedRecords.Row row, DataFormatException error) {}

  /** Reads {@code file} into {@code builder}, sharing its id indexes. */
  public void readInto(Path file, DatasetBuilder builder) {
    String name = file.toString();
    try (DelimitedRecords records = new DelimitedRecords(new TextLines(file, charset), delimiter, quoting)) {
      List<Item> ahead = new ArrayList<>();
      DelimitedRecords.Row first = null;
      List<List<String>> sample = new ArrayList<>();
      while (sample.size() < HeaderDetector.SAMPLE_ROWS) {
        Item item = next(records);
        if (item == null) {
          break;
        }
        ahead.add(item);
        if (item.row() != null) {
          if (first == null) {
            first = item.row();
          } else {
            sample.add(item.row().fields());
          }
        }
      }
      boolean hasHeader = first != null && switch (header) {
        case PRESENT -> true;
        case ABSENT -> false;
        case DETECT -> switch (HeaderDetector.decide(columns, first.fields(), sample)) {
          case HEADER -> true;
          case DATA -> false;
          case UNDECIDED -> throw new DataFormatException(name, first.line(), null,
              "cannot tell whether line " + first.line() + " " + DataFormatException.excerpt(first.fields().toString())
                  + " is a header: its cells are text like the rows after it and none is a known column name; "
                  + "if it is a header, map its columns by name (--user-col, --item-col), otherwise say --no-header");
        };
      };
      if (first != null) {
        builder.noteHeader(header == HeaderMode.DETECT
            ? (hasHeader ? "header: detected" : "no header (detected)")
            : (hasHeader ? "header: as told" : "no header (as told)"));
      }
      int[] positions = null;
      int i = 0;
      while (true) {
        Item item = i < ahead.size() ? ahead.get(i++) : next(records);
        if (item == null) {
          break;
        }
        if (item.error() != null) {
          builder.countRow();
          builder.reject(item.error());
          continue;
        }
        DelimitedRecords.Row row = item.row();
        if (positions == null) {
          positions = columns.resolve(hasHeader ? row.fields() : null, row.fields().size(), name, row.line());
          if (hasHeader) {
            continue;
          }
        }
        builder.countRow();
        try {
          parseRow(row, positions, name, builder);
        } catch (DataFormatException e) {
          builder.reject(e);
        }
      }
    }
  }

  private static Item next(DelimitedRecords records) {
    try {
      DelimitedRecords.Row row = records.next();
      return row == null ? null : new Item(row, null);
    } catch (DataFormatException e) {
      return new Item(null, e);
    }
  }

  private void parseRow(DelimitedRecords.Row row, int[] pos, String file, DatasetBuilder builder) {
    long line = row.line();
    List<String> fields = row.fields();
    String user = FieldParsers.id(field(fields, pos[0], file, line, "user"), file, line, "user");
    String item = FieldParsers.id(field(fields, pos[1], file, line, "item"), file, line, "item");
    float value =
        pos[2] < 0 ? 1f : FieldParsers.value(field(fields, pos[2], file, line, "value"), file, line, "value");
    Long timestamp = pos[3] < 0
        ? null
        : FieldParsers.timestamp(field(fields, pos[3], file, line, "timestamp"), file, line, "timestamp");
    InteractionType type =
        pos[4] < 0
            ? columns.defaultType()
            : FieldParsers.type(field(fields, pos[4], file, line, "type"), file, line, "type");
    if (timestamp == null) {
      builder.acceptInFileOrder(user, item, value, type);
    } else {
      builder.accept(user, item, value, timestamp, type);
    }
  }

  private static String field(List<String> fields, int position, String file, long line, String role) {
    if (position >= fields.size()) {
      throw new DataFormatException(
          file, line, role, "missing: the line has " + fields.size() + " fields, expected at least " + (position + 1));
    }
    return fields.get(position);
  }
}
