package io.perennial.data;

/** Whether the first line of a delimited file names its columns. */
public enum HeaderMode {
  /**
   * Decide from the file. Line 1 is a header when one of its cells is a column name the mapping
   * looks for (a mapped name, or an alias such as {@code userId}), when a column is mapped by name,
   * or when a mapped cell of line 1 does not parse as that field's type (a number, a timestamp, an
   * interaction type, an integer id) while it does on each of the next 20 rows. It is data when its
   * mapped cells parse as those rows' do and one mapped column is typed. When every mapped column
   * is free text and no cell is a column name, the reader stops and asks to be told.
   */
  DETECT,
  /** Line 1 is a header. */
  PRESENT,
  /** Line 1 is data. */
  ABSENT
}
