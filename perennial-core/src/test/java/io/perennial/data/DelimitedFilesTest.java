package io.perennial.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers on the files people actually have: headerless and whitespace-separated files, other
 * delimiters, byte order marks, broken encodings and quotes, huge lines, ids with control
 * characters, and files without timestamps.
 */
class DelimitedFilesTest {

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    return write(name, content.getBytes(StandardCharsets.UTF_8));
  }

  private Path write(String name, byte[] content) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, content);
    return file;
  }

  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      byte[] b = part instanceof byte[] raw ? raw : part.toString().getBytes(StandardCharsets.UTF_8);
      out.write(b, 0, b.length);
    }
    return out.toByteArray();
  }

  private static final ReadOptions SKIP = ReadOptions.defaults().withErrors(ErrorPolicy.SKIP);

  @Test
  void headerlessTabFileKeepsItsFirstRowWithAliasesOrIndices() throws IOException {
    Path file = write("ratings.tsv", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n");
    Dataset byDefault = InteractionReaders.read(file, DataFormat.TSV, ReadOptions.defaults());
    assertThat(byDefault.size()).isEqualTo(3);
    assertThat(byDefault.users().idOf(byDefault.log().user(0))).isEqualTo("196");
    assertThat(byDefault.log().value(0)).isEqualTo(3f);
    assertThat(byDefault.log().timestamp(0)).isEqualTo(881250949L);
    assertThat(byDefault.report().header()).isEqualTo("no header (detected)");
    assertThat(byDefault.report().summary()).contains("3 rows, 3 accepted").contains("no header (detected)");
    ColumnMapping byIndex = new ColumnMapping("0", "1", "2", "3", null, InteractionType.RATING);
    assertThat(InteractionReaders.read(file, DataFormat.TSV, ReadOptions.defaults(), byIndex).size()).isEqualTo(3);
  }

  @Test
  void headerIsDetectedByItsNamesOrByCellsThatDoNotParseLikeTheRowsBelow() throws IOException {
    Path named = write("named.csv", "userId,movieId,rating,timestamp\n1,10,4.0,100\n2,10,3.0,200\n");
    Dataset d = InteractionReaders.read(named, DataFormat.CSV, ReadOptions.defaults());
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.report().header()).isEqualTo("header: detected");
    // Names no alias knows, but "r" is no number while the values below are: a header.
    Path typed = write("typed.csv", "u,i,r\n1,10,4.0\n2,10,3.0\n");
    ColumnMapping byIndex = new ColumnMapping("0", "1", "2", null, null, InteractionType.RATING);
    Dataset t = InteractionReaders.read(typed, DataFormat.CSV, ReadOptions.defaults(), byIndex);
    assertThat(t.size()).isEqualTo(2);
    assertThat(t.report().header()).isEqualTo("header: detected");
    // Text ids throughout, no known names: the file does not say, so the reader asks.
    Path text = write("text.csv", "alice,apple\nbob,pear\n");
    assertThatThrownBy(() -> InteractionReaders.read(text, DataFormat.CSV, ReadOptions.defaults()))
        .isInstanceOf(DataFormatException.class)
        .hasMessageContaining("text.csv:1: cannot tell whether line 1 [alice, apple] is a header")
        .hasMessageContaining("--no-header");
    Dataset told = InteractionReaders.read(text, DataFormat.CSV, ReadOptions.defaults().withHeader(HeaderMode.ABSENT));
    assertThat(told.size()).isEqualTo(2);
    assertThat(told.report().header()).isEqualTo("no header (as told)");
    Dataset toldHeader = InteractionReaders.read(
        write("h.csv", "customer,sku\nalice,apple\n"), DataFormat.CSV, ReadOptions.defaults().withHeader(HeaderMode.PRESENT),
        new ColumnMapping("customer", "sku", null, null, null, InteractionType.VIEW));
    assertThat(toldHeader.size()).isEqualTo(1);
    assertThat(toldHeader.report().header()).isEqualTo("header: as told");
  }

  @Test
  void namedColumnsWithoutAHeaderAreAClearError() throws IOException {
    Path file = write("d.csv", "1,10\n2,20\n");
    ColumnMapping named = new ColumnMapping("customer", "sku", null, null, null, InteractionType.VIEW);
    assertThatThrownBy(() -> InteractionReaders.read(file, DataFormat.CSV,
            ReadOptions.defaults().withHeader(HeaderMode.ABSENT), named))
        .hasMessageContaining("d.csv:1: field 'user': the first row is data, not a header, so column 'customer' cannot be found by name");
    Path single = write("one.csv", "7\n8\n");
    assertThatThrownBy(() -> InteractionReaders.read(single, DataFormat.CSV, ReadOptions.defaults()))
        .hasMessageContaining("one.csv:1: field 'item': no item column: the file has no header and its first row has 1 field");
  }

  @Test
  void whitespaceSeparatedUserItemFileReadsInFileOrder() throws IOException {
    Path file = write("seq.txt", "1 10\n1  11\n\t2\t10 \n  2 12\n\n3 10\n");
    Dataset d = InteractionReaders.read(file, DataFormat.TSV, ReadOptions.defaults().withDelimiter(Delimiter.WHITESPACE));
    assertThat(d.size()).isEqualTo(5);
    assertThat(d.userCount()).isEqualTo(3);
    assertThat(d.items().idOf(d.log().item(3))).isEqualTo("12");
    assertThat(d.log().value(0)).isEqualTo(1f);
    assertThat(d.log().timestamp(0)).isLessThan(d.log().timestamp(1));
    assertThat(d.log().timestamp(3)).isLessThan(d.log().timestamp(4));
    assertThat(d.report().inFileOrder()).isTrue();
    assertThat(d.report().summary()).contains("no header (detected)").contains("no timestamps: file order stands in for time");
  }

  @Test
  void timestampsFromTheFileAreNotFileOrder() throws IOException {
    Dataset d = InteractionReaders.read(write("t.csv", "user,item,ts\na,x,5\nb,y,3\n"), DataFormat.CSV, ReadOptions.defaults());
    assertThat(d.report().inFileOrder()).isFalse();
    assertThat(d.report().summary()).doesNotContain("file order");
    Path mixed = write("m.jsonl", "{\"user\":\"a\",\"item\":1,\"timestamp\":9}\n{\"user\":\"b\",\"item\":2}\n");
    Dataset j = InteractionReaders.read(mixed, DataFormat.JSONL, ReadOptions.defaults());
    assertThat(j.report().inFileOrder()).isFalse();
    assertThat(j.report().fileOrderTimestamps()).isEqualTo(1);
    assertThat(j.report().summary()).contains("1 rows without a timestamp");
  }

  @Test
  void anySingleCharacterDelimiterWithQuotes() throws IOException {
    Path file = write("semi.csv", "user;item;rating\n\"smith; j\";i1;4,5\nk;\"i \"\"2\"\"\";3\n");
    Dataset d = InteractionReaders.read(file, DataFormat.CSV,
        ReadOptions.defaults().withDelimiter(Delimiter.parse("semicolon")).withErrors(ErrorPolicy.SKIP));
    // "4,5" is a decimal comma, not a number: the row is invalid, the other is read.
    assertThat(d.size()).isEqualTo(1);
    assertThat(d.items().idOf(0)).isEqualTo("i \"2\"");
    assertThat(d.report().invalid()).containsEntry("value: not a number", 1L);
    assertThat(Delimiter.parse(";")).isEqualTo(Delimiter.parse("semicolon"));
    assertThat(Delimiter.parse("tab")).isEqualTo(Delimiter.TAB);
    assertThat(Delimiter.parse("\\t")).isEqualTo(Delimiter.TAB);
    assertThat(Delimiter.parse("whitespace").isWhitespace()).isTrue();
    assertThatThrownBy(() -> Delimiter.parse("::")).hasMessageContaining("unknown delimiter '::'");
  }

  @Test
  void optionsThatDoNotApplyToAFormatAreRefused() throws IOException {
    Path u = write("u.data", "1\t2\t3\t4\n");
    assertThatThrownBy(() -> InteractionReaders.read(u, DataFormat.MOVIELENS, ReadOptions.defaults().withDelimiter(Delimiter.COMMA)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ml100k has a fixed layout");
    Path j = write("e.jsonl", "{\"user\":\"a\",\"item\":1}\n");
    assertThatThrownBy(() -> InteractionReaders.read(j, DataFormat.JSONL, ReadOptions.defaults().withHeader(HeaderMode.ABSENT)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON Lines has no header line");
  }

  @Test
  void byteOrderMarkIsDroppedByEveryReader() throws IOException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    Path csv = write("ratings.csv", bytes(bom, "userId,movieId,rating,timestamp\n1,10,4.0,100\n"));
    assertThat(InteractionReaders.read(csv, DataFormat.MOVIELENS, ReadOptions.defaults()).size()).isEqualTo(1);
    Path generic = write("g.csv", bytes(bom, "customer,sku\nc1,s1\n"));
    Dataset g = InteractionReaders.read(generic, DataFormat.CSV, ReadOptions.defaults(),
        new ColumnMapping("customer", "sku", null, null, null, InteractionType.VIEW));
    assertThat(g.users().idOf(0)).isEqualTo("c1");
    Path uData = write("u.data", bytes(bom, "196\t242\t3\t881250949\n"));
    assertThat(InteractionReaders.read(uData, DataFormat.ML100K, ReadOptions.defaults()).users().idOf(0)).isEqualTo("196");
    Path jsonl = write("e.jsonl", bytes(bom, "{\"user\":\"u1\",\"item\":\"i1\"}\n"));
    assertThat(InteractionReaders.read(jsonl, DataFormat.JSONL, ReadOptions.defaults()).users().idOf(0)).isEqualTo("u1");
    Path movies = write("movies.csv", bytes(bom, "movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n"));
    assertThat(ItemCatalog.read(movies).title("1")).isEqualTo("Toy Story (1995)");
  }

  @Test
  void invalidUtf8IsOneNamedLineThatSkipCanDrop() throws IOException {
    byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF};
    Path file = write("r.csv", bytes("user,item,value\na,x,1\n", "b,", bad, ",2\n", "c,z,3\n"));
    assertThatThrownBy(() -> InteractionReaders.read(file, DataFormat.CSV, ReadOptions.defaults()))
        .isInstanceOf(DataFormatException.class)
        .hasMessage(file + ":3: not valid UTF-8 text (is this a binary file, or another encoding?)");
    Dataset d = InteractionReaders.read(file, DataFormat.CSV, SKIP);
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.report().invalid()).containsEntry("not valid UTF-8 text", 1L);
    Path jsonl = write("e.jsonl", bytes("{\"user\":\"a\",\"item\":1}\n", bad, "\n{\"user\":\"b\",\"item\":2}\n"));
    assertThatThrownBy(() -> InteractionReaders.read(jsonl, DataFormat.JSONL, ReadOptions.defaults()))
        .hasMessageStartingWith(jsonl + ":2: not valid UTF-8 text");
    assertThat(InteractionReaders.read(jsonl, DataFormat.JSONL, SKIP).size()).isEqualTo(2);
  }

  @Test
  void binaryInputIsRejectedByLineNotWithAStackTraceOrGarbageIds() throws IOException {
    byte[] junk = new byte[4096];
    new java.util.Random(7).nextBytes(junk);
    Path file = write("ratings.csv", bytes("userId,movieId,rating,timestamp\n1,10,4.0,100\n", junk, "\n2,20,3.0,200\n"));
    Dataset d = InteractionReaders.read(file, DataFormat.MOVIELENS, SKIP);
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.report().invalidTotal()).isPositive();
    assertThat(d.report().examples()).allSatisfy(m -> assertThat(m).startsWith(file + ":").hasSizeLessThan(300));
  }

  @Test
  void unterminatedQuoteLosesOnlyItsLine() throws IOException {
    Path file = write("q.csv", "user,item,value\na,x,1\n\"b,y,2\nc,z,3\nd,w,4\n");
    assertThatThrownBy(() -> InteractionReaders.read(file, DataFormat.CSV, ReadOptions.defaults()))
        .hasMessage(file + ":3: unterminated quote (opened at character 1)");
    Dataset d = InteractionReaders.read(file, DataFormat.CSV, SKIP);
    assertThat(d.size()).isEqualTo(3);
    assertThat(d.users().idOf(d.log().user(2))).isEqualTo("d");
    assertThat(d.report().invalid()).containsEntry("unterminated quote", 1L);
    // A closed quote may hold a line break, in a column the mapping does not read.
    Path note = write("n.csv", "user,item,note\na,x,\"two\nlines\"\nb,y,plain\n");
    Dataset n = InteractionReaders.read(note, DataFormat.CSV, ReadOptions.defaults());
    assertThat(n.size()).isEqualTo(2);
    Path after = write("a.csv", "user,item\n\"a\"b,x\n");
    assertThatThrownBy(() -> InteractionReaders.read(after, DataFormat.CSV, ReadOptions.defaults()))
        .hasMessageContaining("a.csv:2: unexpected 'b' after a closing quote");
  }

  @Test
  void quotedInputIsCutInEveryMessage() throws IOException {
    String huge = "x".repeat(5_000_000);
    Path header = write("h.csv", huge + "\n1,2\n");
    ColumnMapping named = new ColumnMapping("customer", "sku", null, null, null, InteractionType.VIEW);
    assertThatThrownBy(() -> InteractionReaders.read(header, DataFormat.CSV, ReadOptions.defaults(), named))
        .satisfies(e -> assertThat(e.getMessage())
            .contains("no column named 'customer' in header [xxxx")
            .contains("... (5000002 chars)")
            .hasSizeLessThan(300));
    Path value = write("v.csv", "user,item,value\na,b," + "9".repeat(300) + "z\n");
    assertThatThrownBy(() -> InteractionReaders.read(value, DataFormat.CSV, ReadOptions.defaults()))
        .satisfies(e -> assertThat(e.getMessage()).contains("not a number: '999").contains("... (301 chars)'").hasSizeLessThan(250));
    Path type = write("t.jsonl", "{\"user\":\"a\",\"item\":1,\"type\":\"" + "k".repeat(1000) + "\"}\n");
    assertThatThrownBy(() -> InteractionReaders.read(type, DataFormat.JSONL, ReadOptions.defaults()))
        .satisfies(e -> assertThat(e.getMessage()).contains("(1000 chars)").hasSizeLessThan(300));
    assertThat(DataFormatException.quote("a\u001b[31mb\nc")).isEqualTo("'a\\u001b[31mb\\nc'");
  }

  @Test
  void idsWithControlCharactersAreRejectedWhereTheyAre() throws IOException {
    Path csv = write("c.csv", "user,item\n\"a\nb\",i1\nok,i2\n");
    assertThatThrownBy(() -> InteractionReaders.read(csv, DataFormat.CSV, ReadOptions.defaults()))
        .hasMessage(csv + ":2: field 'user': id contains a control character (U+000A at character 2)");
    Dataset skipped = InteractionReaders.read(csv, DataFormat.CSV, SKIP);
    assertThat(skipped.size()).isEqualTo(1);
    assertThat(skipped.report().invalid()).containsEntry("user: id contains a control character", 1L);
    Path jsonl = write("e.jsonl", "{\"user\":\"u1\",\"item\":\"\\u001b[2J\"}\n");
    assertThatThrownBy(() -> InteractionReaders.read(jsonl, DataFormat.JSONL, ReadOptions.defaults()))
        .hasMessage(jsonl + ":1: field 'item': id contains a control character (U+001B at character 1)");
    Path tab = write("t.csv", "user,item\nu\u0007,i\n");
    assertThatThrownBy(() -> InteractionReaders.read(tab, DataFormat.CSV, ReadOptions.defaults()))
        .hasMessageContaining("t.csv:2: field 'user': id contains a control character (U+0007 at character 2)");
  }

  @Test
  void idRuleIsTheServersRule() {
    assertThat(Ids.problem("movie 42 \uD83C\uDFAC")).isNull();
    assertThat(Ids.problem(" ")).isEqualTo("empty id");
    assertThat(Ids.problem("x".repeat(Ids.MAX_LENGTH))).isNull();
    assertThat(Ids.problem("x".repeat(Ids.MAX_LENGTH + 1))).isEqualTo("id longer than 256 characters (257)");
    assertThat(Ids.problem("a\tb")).contains("control character (U+0009 at character 2)");
    assertThat(Ids.problem("a\u0085")).contains("control character (U+0085");
    assertThat(Ids.problem("a\uD83C")).isEqualTo("id contains broken unicode (a lone surrogate at character 2)");
    assertThat(Ids.problem("\uDFACa")).contains("lone surrogate at character 1");
  }
}
