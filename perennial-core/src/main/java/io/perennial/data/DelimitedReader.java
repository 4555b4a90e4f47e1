package io.perennial.data;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads delimited text (CSV, TSV, MovieLens {@code u.data} and {@code ratings.dat}) with a column
 * mapping. Parsing and quoting are Apache Commons CSV's; this class validates each field and reports
 * the file and line of anything wrong.
 */
public final class DelimitedReader {

  private final String delimiter;
  private final boolean header;
  private final ColumnMapping columns;
  private final Charset charset;

  /**
   * @param delimiter field separator, e.g. {@code ","}, {@code "\t"}, {@code "::"}
   * @param header whether the first line names the columns
   */
  public DelimitedReader(String delimiter, boolean header, ColumnMapping columns, Charset charset) {
    this.delimiter = delimiter;
    this.header = header;
    this.columns = columns;
    this.charset = charset;
  }

  public static DelimitedReader csv(ColumnMapping columns) {
    return new DelimitedReader(",", true, columns, StandardCharsets.UTF_8);
  }

  public static DelimitedReader tsv(ColumnMapping columns) {
    return new DelimitedReader("\t", true, columns, StandardCharsets.UTF_8);
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
    CSVFormat format =
        CSVFormat.DEFAULT.builder()
            .setDelimiter(delimiter)
            .setQuote(delimiter.equals(",") ? '"' : null)
            .setIgnoreEmptyLines(true)
            .setTrim(false)
            .build();
    try (Reader reader = Files.newBufferedReader(file, charset);
        CSVParser parser = format.parse(reader)) {
      int[] pos = null;
      long rowIndex = 0;
      long linesBefore = 0;
      for (CSVRecord record : parser) {
        // A record starts on the line after the ones consumed by the records before it.
        long line = linesBefore + 1;
        linesBefore = parser.getCurrentLineNumber();
        if (pos == null) {
          if (header) {
            pos = columns.resolve(record.toList(), name);
            continue;
          }
          pos = columns.resolve(null, name);
        }
        builder.countRow();
        rowIndex++;
        try {
          parseRow(record, pos, name, line, rowIndex, builder);
        } catch (DataFormatException e) {
          builder.reject(e);
        }
      }
    } catch (NoSuchFileException e) {
      throw new DataFormatException(name, 0, null, "no such file");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      // Commons CSV wraps malformed quoting in an UncheckedIOException.
      throw new DataFormatException(name, 0, null, "malformed CSV: " + e.getCause().getMessage());
    }
  }

  private void parseRow(
      CSVRecord record, int[] pos, String file, long line, long rowIndex, DatasetBuilder builder) {
    String user = FieldParsers.id(field(record, pos[0], file, line, "user"), file, line, "user");
    String item = FieldParsers.id(field(record, pos[1], file, line, "item"), file, line, "item");
    float value =
        pos[2] < 0 ? 1f : FieldParsers.value(field(record, pos[2], file, line, "value"), file, line, "value");
    long timestamp =
        pos[3] < 0
            ? rowIndex
            : FieldParsers.timestamp(field(record, pos[3], file, line, "timestamp"), file, line, "timestamp");
    InteractionType type =
        pos[4] < 0
            ? columns.defaultType()
            : FieldParsers.type(field(record, pos[4], file, line, "type"), file, line, "type");
    builder.accept(user, item, value, timestamp, type);
  }

  private static String field(CSVRecord record, int position, String file, long line, String role) {
    if (position >= record.size()) {
      throw new DataFormatException(
          file, line, role, "missing: the line has " + record.size() + " fields, expected at least " + (position + 1));
    }
    return record.get(position);
  }
}
