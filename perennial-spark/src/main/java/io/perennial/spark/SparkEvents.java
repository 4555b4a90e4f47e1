package io.perennial.spark;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.perennial.data.DataFormatException;
import io.perennial.data.Dataset;
import io.perennial.data.DuplicatePolicy;
import io.perennial.data.ErrorPolicy;
import io.perennial.data.FieldParsers;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.storage.StorageLevel;

/**
 * The data half of {@code spark-train} as Spark stages: read every input file in parallel, parse
 * and validate each row with the core readers' field rules (an error names file:line:field), apply
 * the implicit conversion, de-duplicate (user, item) pairs by the chosen policy in file order, and
 * give users and items dense indices in order of first appearance. Nothing is collected to the
 * driver but the counts, the first errors and the two id lists.
 */
public final class SparkEvents {

  /** File order: the file's place in the input, then the row's, packed so one long sorts both. */
  private static final int ROW_BITS = 40;
  private static final int EXAMPLES = 5;
  private static final List<List<String>> ALIASES = List.of(
      List.of("user", "userid", "user_id"),
      List.of("item", "itemid", "item_id", "movieid", "product_id"),
      List.of("value", "rating", "weight", "score"),
      List.of("timestamp", "ts", "time", "event_time"));
  private static final List<String> ROLES = List.of("user", "item", "value", "timestamp");

  static final StructType PARSED = new StructType(new StructField[] {
      DataTypes.createStructField("user", DataTypes.StringType, true),
      DataTypes.createStructField("item", DataTypes.StringType, true),
      DataTypes.createStructField("value", DataTypes.FloatType, false),
      DataTypes.createStructField("ts", DataTypes.LongType, false),
      DataTypes.createStructField("file_order", DataTypes.BooleanType, false),
      DataTypes.createStructField("seq", DataTypes.LongType, false),
      DataTypes.createStructField("error", DataTypes.StringType, true)});

  private SparkEvents() {}

  /**
   * The prepared events and what the stages counted.
   *
   * @param events one row per kept interaction: {@code u} and {@code i} (dense int indices),
   *     {@code value} (float), {@code ts} (epoch seconds), {@code seq} (file order); cached
   * @param users external user ids by index
   * @param items external item ids by index
   * @param report rows read, accepted, invalid (by nothing finer than "invalid"), below the implicit
   *     threshold, duplicates merged, the first error messages, rows without a timestamp
   */
  public record Prepared(org.apache.spark.sql.Dataset<Row> events, List<String> users, List<String> items,
      ReadReport report, InteractionType type) {

    /**
     * The events on the driver as a core {@link Dataset} in file order: what a checkpoint needs (its
     * user histories), streamed partition by partition.
     */
    public Dataset toCoreDataset() {
      InteractionLog log = new InteractionLog((int) Math.min(Integer.MAX_VALUE - 8, Math.max(16, report.accepted())));
      Iterator<Row> rows = events.select("u", "i", "value", "ts").toLocalIterator();
      while (rows.hasNext()) {
        Row r = rows.next();
        log.add(r.getInt(0), r.getInt(1), r.getFloat(2), r.getLong(3), type);
      }
      return new Dataset(IdIndex.of(users), IdIndex.of(items), log, report);
    }
  }

  /**
   * Runs the stages on {@code source}.
   *
   * @param partitions partitions of the prepared events (and the training's blocks)
   * @throws DataFormatException for the first invalid row under {@link ErrorPolicy#FAIL}, for a
   *     missing input, or for a file whose columns cannot be found
   */
  public static Prepared prepare(SparkSession spark, EventSource source, int partitions) {
    List<String> files = inputFiles(spark, source);
    org.apache.spark.sql.Dataset<Row> parsed = parse(spark, source, files, partitions)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Column valid = col("error").isNull();
    Column kept = source.implicit() ? valid.and(col("value").geq(lit(source.implicitThreshold()))) : valid;
    Row counts = parsed.agg(count(lit(1)), sum(when(not(valid), 1).otherwise(0)),
        sum(when(valid.and(not(kept)), 1).otherwise(0)), sum(when(kept.and(col("file_order")), 1).otherwise(0)))
        .first();
    long rows = counts.getLong(0);
    long invalid = counts.isNullAt(1) ? 0 : counts.getLong(1);
    long below = counts.isNullAt(2) ? 0 : counts.getLong(2);
    long fileOrder = counts.isNullAt(3) ? 0 : counts.getLong(3);
    List<String> examples = invalid == 0 ? List.of() : parsed.filter(not(valid)).orderBy("seq").limit(EXAMPLES)
        .select("error").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    if (invalid > 0 && source.errors() == ErrorPolicy.FAIL) {
      parsed.unpersist();
      throw new UserInputException(examples.get(0) + " (" + invalid + " invalid row" + (invalid == 1 ? "" : "s")
          + " in all; --on-error skip drops and counts them)");
    }
    org.apache.spark.sql.Dataset<Row> events = parsed.filter(kept).select("user", "item", "value", "ts", "seq");
    if (source.implicit()) {
      events = events.withColumn("value", lit(source.implicitWeight()));
    }
    long acceptedBeforeMerge = rows - invalid - below;
    events = deduplicate(events, source.duplicates());

    // the deduplicated rows feed the two id stages and the join: computed once
    events = events.persist(StorageLevel.MEMORY_AND_DISK());
    List<String> users = firstAppearance(events, "user");
    List<String> items = firstAppearance(events, "item");
    org.apache.spark.sql.Dataset<Row> indexed = events
        .join(broadcast(indexFrame(spark, users, "user", "u")), "user")
        .join(broadcast(indexFrame(spark, items, "item", "i")), "item")
        .select(col("u"), col("i"), col("value"), col("ts"), col("seq"))
        .repartition(partitions, col("u")).sortWithinPartitions("seq")
        .persist(StorageLevel.MEMORY_AND_DISK());
    long accepted = indexed.count();
    events.unpersist();
    parsed.unpersist();
    Map<String, Long> invalidByReason = new LinkedHashMap<>();
    if (invalid > 0) {
      invalidByReason.put("invalid", invalid);
    }
    ReadReport report = new ReadReport(rows, accepted, invalidByReason, below, acceptedBeforeMerge - accepted,
        examples, null, fileOrder);
    InteractionType type = source.format() == EventSource.Format.MOVIELENS && !source.implicit()
        ? InteractionType.RATING : InteractionType.VIEW;
    return new Prepared(indexed, users, items, report, type);
  }

  /** One row per (user, item) under {@code policy}, at the kept occurrence's place in file order. */
  static org.apache.spark.sql.Dataset<Row> deduplicate(org.apache.spark.sql.Dataset<Row> events, DuplicatePolicy policy) {
    if (policy == DuplicatePolicy.KEEP_ALL) {
      return events;
    }
    Column occurrence = struct(col("seq"), col("ts"), col("value"));
    Column chosen = (policy == DuplicatePolicy.KEEP_FIRST ? min(occurrence) : max(occurrence)).as("kept");
    org.apache.spark.sql.Dataset<Row> grouped = events.groupBy("user", "item").agg(chosen, sum("value").as("total"));
    Column value = policy == DuplicatePolicy.SUM ? col("total").cast(DataTypes.FloatType) : col("kept.value");
    return grouped.select(col("user"), col("item"), value.as("value"), col("kept.ts").as("ts"), col("kept.seq").as("seq"));
  }

  /**
   * The distinct values of {@code column} in order of their first row in file order: index n is
   * the n-th. One aggregation on the executors; the driver sorts the (id, first row) pairs, as it
   * must hold the id lists for the checkpoint anyway.
   */
  private static List<String> firstAppearance(org.apache.spark.sql.Dataset<Row> events, String column) {
    List<Row> firsts = events.groupBy(column).agg(min("seq").as("first")).collectAsList();
    List<Row> sorted = new ArrayList<>(firsts);
    sorted.sort((a, b) -> Long.compare(a.getLong(1), b.getLong(1)));
    List<String> ids = new ArrayList<>(sorted.size());
    for (Row r : sorted) {
      ids.add(r.getString(0));
    }
    return ids;
  }

  /** {@code (column, indexColumn)} rows of the id list, for the join that numbers the events. */
  private static org.apache.spark.sql.Dataset<Row> indexFrame(SparkSession spark, List<String> ids, String column,
      String indexColumn) {
    List<Row> rows = new ArrayList<>(ids.size());
    for (int n = 0; n < ids.size(); n++) {
      rows.add(RowFactory.create(ids.get(n), n));
    }
    StructType schema = new StructType(new StructField[] {
        DataTypes.createStructField(column, DataTypes.StringType, false),
        DataTypes.createStructField(indexColumn, DataTypes.IntegerType, false)});
    return spark.createDataFrame(rows, schema);
  }

  /** The files to read: {@code path} itself, or a folder's data files (MovieLens: its ratings file). */
  static List<String> inputFiles(SparkSession spark, EventSource source) {
    Path path = new Path(source.path());
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        throw new DataFormatException(source.path(), 0, null, "no such file or folder");
      }
      if (!fs.getFileStatus(path).isDirectory()) {
        return List.of(fs.getFileStatus(path).getPath().toString());
      }
      if (source.format() == EventSource.Format.MOVIELENS) {
        for (String name : new String[] {"ratings.csv", "u.data", "ratings.dat"}) {
          Path candidate = new Path(path, name);
          if (fs.exists(candidate)) {
            return List.of(fs.getFileStatus(candidate).getPath().toString());
          }
        }
        throw new DataFormatException(source.path(), 0, null, "no ratings.csv, u.data or ratings.dat in this folder");
      }
      List<String> files = new ArrayList<>();
      for (FileStatus s : fs.listStatus(path)) {
        String name = s.getPath().getName();
        // Spark and Hadoop writers leave _SUCCESS and .crc files beside the parts
        if (s.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
          files.add(s.getPath().toString());
        }
      }
      if (files.isEmpty()) {
        throw new DataFormatException(source.path(), 0, null, "folder holds no data files");
      }
      files.sort(null);
      return files;
    } catch (IOException e) {
      throw new DataFormatException(source.path(), 0, null, "cannot list: " + e.getMessage());
    }
  }

  private static org.apache.spark.sql.Dataset<Row> parse(SparkSession spark, EventSource source, List<String> files,
      int partitions) {
    if (source.format() == EventSource.Format.PARQUET) {
      return parseParquet(spark, source, files);
    }
    JavaRDD<Row> all = null;
    for (int f = 0; f < files.size(); f++) {
      String file = files.get(f);
      JavaRDD<String> lines = spark.sparkContext().textFile(file, Math.max(1, partitions / files.size())).toJavaRDD();
      List<String> head = lines.take(1);
      LineLayout layout = LineLayout.of(source, file, head.isEmpty() ? null : head.get(0));
      long fileBits = (long) f << ROW_BITS;
      JavaRDD<Row> rows = lines.zipWithIndex()
          .mapPartitions(it -> new ParsingIterator(it, layout, fileBits))
          .filter(r -> r.length() > 0);
      all = all == null ? rows : all.union(rows);
    }
    return spark.createDataFrame(all, PARSED);
  }

  /** Marks a header or blank line in the parsed stream; filtered out before the rows become a frame. */
  private static final Row SKIP_ROW = RowFactory.create();

  /** Parses numbered lines lazily, one partition at a time. */
  private static final class ParsingIterator implements Iterator<Row> {
    private final Iterator<scala.Tuple2<String, Long>> lines;
    private final LineLayout layout;
    private final long fileBits;

    ParsingIterator(Iterator<scala.Tuple2<String, Long>> lines, LineLayout layout, long fileBits) {
      this.lines = lines;
      this.layout = layout;
      this.fileBits = fileBits;
    }

    @Override
    public boolean hasNext() {
      return lines.hasNext();
    }

    @Override
    public Row next() {
      scala.Tuple2<String, Long> t = lines.next();
      long index = t._2();
      if ((index == 0 && layout.header) || t._1().isBlank()) {
        return SKIP_ROW;
      }
      return layout.parse(t._1(), index + 1, fileBits | index);
    }
  }

  /** Where each field of a line-based file sits, decided once on the driver from its first line. */
  static final class LineLayout implements java.io.Serializable {
    final String file;
    final boolean json;
    final Pattern splitter;
    final boolean header;
    /** csv: column positions of user, item, value, timestamp (-1 = absent); jsonl: field names. */
    final int[] positions;
    final String[] fields;

    private LineLayout(String file, boolean json, Pattern splitter, boolean header, int[] positions, String[] fields) {
      this.file = file;
      this.json = json;
      this.splitter = splitter;
      this.header = header;
      this.positions = positions;
      this.fields = fields;
    }

    static LineLayout of(EventSource source, String file, String firstLine) {
      String name = new Path(file).getName().toLowerCase(Locale.ROOT);
      String[] wanted = {source.columns().user(), source.columns().item(), source.columns().value(),
          source.columns().timestamp()};
      switch (source.format()) {
        case JSONL:
          return new LineLayout(file, true, null, false, null, wanted);
        case MOVIELENS:
          if (name.endsWith(".dat")) {
            return new LineLayout(file, false, Pattern.compile("::", Pattern.LITERAL), false, new int[] {0, 1, 2, 3}, null);
          }
          if (name.equals("u.data") || name.endsWith(".data")) {
            return new LineLayout(file, false, Pattern.compile("\t"), false, new int[] {0, 1, 2, 3}, null);
          }
          return csv(file, firstLine, ',', Boolean.TRUE, new String[] {"userId", "movieId", "rating", "timestamp"});
        default:
          return csv(file, firstLine, source.delimiter(), source.header(), wanted);
      }
    }

    private static LineLayout csv(String file, String firstLine, char delimiter, Boolean header, String[] wanted) {
      Pattern splitter = Pattern.compile(Pattern.quote(String.valueOf(delimiter)));
      String[] cells = firstLine == null ? new String[0] : splitter.split(firstLine, -1);
      boolean hasHeader = header != null ? header : looksLikeHeader(cells, wanted);
      int[] positions = new int[4];
      for (int r = 0; r < 4; r++) {
        positions[r] = position(file, cells, hasHeader, wanted[r], r);
      }
      return new LineLayout(file, false, splitter, hasHeader, positions, null);
    }

    private static boolean looksLikeHeader(String[] cells, String[] wanted) {
      for (String c : cells) {
        String cell = c.trim().toLowerCase(Locale.ROOT);
        for (int r = 0; r < 4; r++) {
          if (wanted[r] != null ? wanted[r].equalsIgnoreCase(cell) : ALIASES.get(r).contains(cell)) {
            return true;
          }
        }
      }
      return false;
    }

    private static int position(String file, String[] cells, boolean header, String wanted, int role) {
      if (wanted != null && wanted.chars().allMatch(Character::isDigit)) {
        return Integer.parseInt(wanted);
      }
      if (!header) {
        if (wanted != null) {
          throw new DataFormatException(file, 1, ROLES.get(role),
              "column '" + wanted + "' is named but the file has no header; give its 0-based index");
        }
        return role < cells.length ? role : -1;
      }
      for (int c = 0; c < cells.length; c++) {
        String cell = cells[c].trim().toLowerCase(Locale.ROOT);
        if (wanted != null ? wanted.equalsIgnoreCase(cell) : ALIASES.get(role).contains(cell)) {
          return c;
        }
      }
      if (wanted != null || role < 2) {
        throw new DataFormatException(file, 1, ROLES.get(role), "no " + (wanted != null ? "column '" + wanted + "'"
            : ROLES.get(role) + " column (looked for " + ALIASES.get(role) + ")") + " in the header " + Arrays.toString(cells));
      }
      return -1;
    }

    /** A parsed row, or one carrying the error message in its {@code error} column. */
    Row parse(String line, long lineNumber, long seq) {
      try {
        String[] raw = json ? jsonFields(line, lineNumber) : cells(line, lineNumber);
        return parsedRow(file, lineNumber, seq, raw);
      } catch (DataFormatException e) {
        return RowFactory.create(null, null, 0f, 0L, false, seq, e.getMessage());
      }
    }

    private String[] cells(String line, long lineNumber) {
      String[] cells = splitter.split(line, -1);
      String[] raw = new String[4];
      for (int r = 0; r < 4; r++) {
        int p = positions[r];
        if (p >= cells.length) {
          if (r < 2) {
            throw new DataFormatException(file, lineNumber, ROLES.get(r), "missing (the line has " + cells.length
                + " field" + (cells.length == 1 ? "" : "s") + ")");
          }
        } else if (p >= 0) {
          raw[r] = cells[p];
        }
      }
      return raw;
    }

    private transient com.fasterxml.jackson.databind.ObjectMapper mapper;

    private String[] jsonFields(String line, long lineNumber) {
      if (mapper == null) {
        mapper = new com.fasterxml.jackson.databind.ObjectMapper();
      }
      com.fasterxml.jackson.databind.JsonNode node;
      try {
        node = mapper.readTree(line);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new DataFormatException(file, lineNumber, null, "not JSON: " + e.getOriginalMessage());
      }
      if (node == null || !node.isObject()) {
        throw new DataFormatException(file, lineNumber, null, "not a JSON object");
      }
      String[] raw = new String[4];
      for (int r = 0; r < 4; r++) {
        com.fasterxml.jackson.databind.JsonNode v = null;
        if (fields[r] != null) {
          v = node.get(fields[r]);
        } else {
          for (var it = node.fieldNames(); it.hasNext() && v == null; ) {
            String f = it.next();
            if (ALIASES.get(r).contains(f.toLowerCase(Locale.ROOT))) {
              v = node.get(f);
            }
          }
        }
        if (v != null && !v.isNull()) {
          if (v.isContainerNode()) {
            throw new DataFormatException(file, lineNumber, ROLES.get(r), "must be a string or a number, not "
                + (v.isArray() ? "an array" : "an object"));
          }
          raw[r] = v.asText();
        }
      }
      return raw;
    }
  }

  /** The cells of one row, parsed by the core rules: ids, a finite value (1 when absent), a timestamp. */
  static Row parsedRow(String file, long line, long seq, String[] raw) {
    String user = FieldParsers.id(raw[0], file, line, "user");
    String item = FieldParsers.id(raw[1], file, line, "item");
    float value = raw[2] == null ? 1f : FieldParsers.value(raw[2], file, line, "value");
    boolean fileOrder = raw[3] == null || raw[3].isBlank();
    // Without a timestamp the row's place in the input stands in for time, as in the core readers.
    long ts = fileOrder ? seq : FieldParsers.timestamp(raw[3], file, line, "timestamp");
    return RowFactory.create(user, item, value, ts, fileOrder, seq, null);
  }

  /**
   * Parquet: columns found by name (or alias), cast to text, then through the same field rules; a
   * row is named by its file and row number ({@code _metadata.row_index}).
   */
  private static org.apache.spark.sql.Dataset<Row> parseParquet(SparkSession spark, EventSource source, List<String> files) {
    org.apache.spark.sql.Dataset<Row> frame = spark.read().parquet(files.toArray(String[]::new));
    String[] wanted = {source.columns().user(), source.columns().item(), source.columns().value(),
        source.columns().timestamp()};
    String[] names = frame.columns();
    List<Column> cells = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      String found = null;
      for (String n : names) {
        if (wanted[r] != null ? wanted[r].equals(n) : ALIASES.get(r).contains(n.toLowerCase(Locale.ROOT))) {
          found = n;
          break;
        }
      }
      if (found == null && (r < 2 || wanted[r] != null)) {
        throw new DataFormatException(source.path(), 0, ROLES.get(r), "no " + (wanted[r] != null ? "column '"
            + wanted[r] + "'" : ROLES.get(r) + " column (looked for " + ALIASES.get(r) + ")") + " among "
            + Arrays.toString(names));
      }
      if (found == null) {
        cells.add(lit(null).cast(DataTypes.StringType));
      } else if (frame.schema().apply(found).dataType() instanceof TimestampType) {
        cells.add(functions_unix(col(found)).cast(DataTypes.StringType));
      } else {
        cells.add(col(found).cast(DataTypes.StringType));
      }
    }
    cells.add(col("_metadata.file_path"));
    cells.add(col("_metadata.row_index"));
    org.apache.spark.sql.Dataset<Row> raw = frame.select(cells.toArray(Column[]::new));
    List<String> fileOrder = files;
    JavaRDD<Row> rows = raw.javaRDD().map(r -> {
      String file = r.getString(4);
      long rowIndex = r.getLong(5);
      int fileNumber = Math.max(0, indexOfFile(fileOrder, file));
      long seq = ((long) fileNumber << ROW_BITS) | rowIndex;
      try {
        return parsedRow(file, rowIndex + 1, seq, new String[] {r.getString(0), r.getString(1), r.getString(2),
            r.getString(3)});
      } catch (DataFormatException e) {
        return RowFactory.create(null, null, 0f, 0L, false, seq, e.getMessage());
      }
    });
    return spark.createDataFrame(rows, PARSED);
  }

  private static Column functions_unix(Column timestamp) {
    return org.apache.spark.sql.functions.unix_timestamp(timestamp);
  }

  private static int indexOfFile(List<String> files, String file) {
    for (int f = 0; f < files.size(); f++) {
      if (files.get(f).equals(file) || file.endsWith(new Path(files.get(f)).toUri().getPath())) {
        return f;
      }
    }
    return -1;
  }
}
