package io.perennial.data;

import java.util.List;

/**
 * Decides, for {@link HeaderMode#DETECT}, whether the first record of a delimited file is a header.
 * It is when
 *
 * <ol>
 *   <li>one of its cells is a column name the mapping looks for (a mapped name, or an alias such as
 *       {@code userId} of a field left to the default), or
 *   <li>the mapping names a column (only a header can resolve a name; the reader then reports the
 *       names line 1 does hold), or
 *   <li>read as data, one of its mapped cells does not parse as that field's type (a number for the
 *       value, a timestamp, an interaction type, an integer for a user or item column whose other
 *       cells are all integers) while it does on each of the next {@value #SAMPLE_ROWS} rows.
 * </ol>
 *
 * It is data when, read as data, each of its mapped cells parses as the next rows' cells do and at
 * least one mapped column is typed (numbers, timestamps, types or integer ids) on those rows. When
 * every mapped column is free text on every row and no cell is a column name, the file does not
 * say: that is {@link Decision#UNDECIDED}, and the reader asks to be told. A file of one line is a
 * header only by rule 1 or 2.
 */
final class HeaderDetector {

  /** Rows after the first that rule 3 compares it with. */
  static final int SAMPLE_ROWS = 20;

  /** What the first record is. */
  enum Decision { HEADER, DATA, UNDECIDED }

  private HeaderDetector() {}

  static Decision decide(ColumnMapping columns, List<String> first, List<List<String>> following) {
    for (String cell : first) {
      if (columns.isColumnName(cell)) {
        return Decision.HEADER;
      }
    }
    if (columns.needsHeaderNames()) {
      return Decision.HEADER;
    }
    if (following.isEmpty()) {
      return Decision.DATA;
    }
    int[] positions = columns.headerlessPositions(first.size());
    boolean typed = false;
    for (int role = 0; role < positions.length; role++) {
      int p = positions[role];
      int r = role;
      if (p < 0 || p >= first.size()
          || !following.stream().allMatch(row -> p < row.size() && parses(r, row.get(p)))) {
        continue;
      }
      if (!parses(role, first.get(p))) {
        return Decision.HEADER;
      }
      typed = true;
    }
    return typed ? Decision.DATA : Decision.UNDECIDED;
  }

  private static boolean parses(int role, String cell) {
    String s = cell.trim();
    try {
      switch (role) {
        case 0, 1 -> Long.parseLong(s);
        case 2 -> FieldParsers.value(s, "", 0, "");
        case 3 -> FieldParsers.timestamp(s, "", 0, "");
        default -> InteractionType.parse(s);
      }
      return true;
    } catch (IllegalArgumentException | DataFormatException e) {
      return false;
    }
  }
}
