package io.perennial.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the two sequence layouts of sequential recommenders, fields separated by runs of spaces or
 * tabs, no timestamps: {@link DataFormat#SEQ_PAIRS} (one {@code user item} pair a line; within a
 * user the file order is the time order, the layout of SASRec's published data files) and {@link
 * DataFormat#SEQ_LINES} (one {@code user item1 item2 …} line per user, in time order). Every
 * interaction gets value 1 and its position in the file as its time, so that sorting by (time,
 * then file order) gives back the sequences; {@link UserSequences} is that view.
 *
 * <p>Neither layout has a header; when the header is detected, line 1 is one only if one of its
 * cells is a column name such as {@code user} or {@code item_id}. A line with the wrong number of
 * fields, or an id that breaks the {@link Ids} rule, is one invalid row named by file and line,
 * which {@link ErrorPolicy#SKIP} drops whole (a sequence line is dropped with all its items, since
 * a sequence with a hole in it would teach a wrong order). For seq-lines a row is a line, so the
 * {@link ReadReport} counts users' lines read and the interactions they held.
 */
final class SequenceReader {

  private static final ColumnMapping NAMES = ColumnMapping.byHeader(InteractionType.VIEW);

  private final boolean lines;
  private final HeaderMode header;

  /**
   * @param lines {@code true} for seq-lines, {@code false} for seq-pairs
   * @param header whether line 1 names the columns ({@link HeaderMode#DETECT}: only when one of its
   *     cells is a column name)
   */
  SequenceReader(boolean lines, HeaderMode header) {
    this.lines = lines;
    this.header = header;
  }

  /** Reads {@code file} into {@code builder}, sharing its id indexes. */
  void readInto(Path file, DatasetBuilder builder) {
    String name = file.toString();
    try (DelimitedRecords records =
        new DelimitedRecords(new TextLines(file, StandardCharsets.UTF_8), Delimiter.WHITESPACE, false)) {
      boolean first = true;
      while (true) {
        DelimitedRecords.Row row;
        try {
          row = records.next();
        } catch (DataFormatException e) {
          builder.countRow();
          builder.reject(e);
          first = false;
          continue;
        }
        if (row == null) {
          break;
        }
        if (first) {
          first = false;
          if (isHeader(row.fields())) {
            builder.noteHeader(header == HeaderMode.PRESENT ? "header: as told" : "header: detected");
            continue;
          }
          builder.noteHeader(header == HeaderMode.DETECT ? "no header (detected)" : "no header (as told)");
        }
        builder.countRow();
        try {
          parse(row, name, builder);
        } catch (DataFormatException e) {
          builder.reject(e);
        }
      }
    }
  }

  private boolean isHeader(List<String> cells) {
    return switch (header) {
      case PRESENT -> true;
      case ABSENT -> false;
      case DETECT -> cells.stream().anyMatch(NAMES::isColumnName);
    };
  }

  private void parse(DelimitedRecords.Row row, String file, DatasetBuilder builder) {
    List<String> fields = row.fields();
    long line = row.line();
    if (!lines && fields.size() != 2) {
      throw new DataFormatException(file, line, null, "expected 2 fields (user item), found " + fields.size()
          + (fields.size() > 2 ? " (a line per user with all its items is --format seq-lines)" : ""));
    }
    if (lines && fields.size() < 2) {
      throw new DataFormatException(file, line, null, "expected a user and at least one item, found "
          + fields.size() + " field" + (fields.size() == 1 ? "" : "s"));
    }
    String user = FieldParsers.id(fields.get(0), file, line, "user");
    // Check every id before the first is added, so a rejected line leaves nothing behind.
    String[] items = new String[fields.size() - 1];
    for (int n = 1; n < fields.size(); n++) {
      items[n - 1] = FieldParsers.id(fields.get(n), file, line, lines ? "item " + n : "item");
    }
    for (String item : items) {
      builder.acceptInSequence(user, item, 1f, InteractionType.VIEW);
    }
  }
}
