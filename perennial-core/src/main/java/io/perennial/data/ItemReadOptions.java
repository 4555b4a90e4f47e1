package io.perennial.data;

/**
 * How to read an item metadata file.
 *
 * @param format the layout ({@link ItemFormat#AUTO}: from the file name)
 * @param columns the column mapping of a generic CSV, TSV or JSON Lines file
 * @param delimiter the separator of a generic delimited file ({@code null}: comma for CSV, tab for TSV)
 * @param header whether a generic delimited file's first line names its columns
 * @param onError what to do with a line that cannot be read
 */
public record ItemReadOptions(
    ItemFormat format, ItemColumns columns, Delimiter delimiter, HeaderMode header, ErrorPolicy onError) {

  /** Fills the defaults: format from the name, usual column names, header detected, failing on errors. */
  public ItemReadOptions {
    format = format == null ? ItemFormat.AUTO : format;
    columns = columns == null ? ItemColumns.defaults() : columns;
    header = header == null ? HeaderMode.DETECT : header;
    onError = onError == null ? ErrorPolicy.FAIL : onError;
  }

  /** Format from the name, usual column names, header detected, stop at the first bad line. */
  public static ItemReadOptions defaults() {
    return new ItemReadOptions(ItemFormat.AUTO, null, null, null, null);
  }

  /** These options in {@code format}. */
  public ItemReadOptions withFormat(ItemFormat format) {
    return new ItemReadOptions(format, columns, delimiter, header, onError);
  }

  /** These options with {@code columns}. */
  public ItemReadOptions withColumns(ItemColumns columns) {
    return new ItemReadOptions(format, columns, delimiter, header, onError);
  }

  /** These options with the error policy {@code onError}. */
  public ItemReadOptions withErrorPolicy(ErrorPolicy onError) {
    return new ItemReadOptions(format, columns, delimiter, header, onError);
  }
}
