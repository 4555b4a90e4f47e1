package io.perennial.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadersTest {

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void readsMovieLensRatingsCsv() throws IOException {
    Path file = write("ratings.csv", "userId,movieId,rating,timestamp\n1,10,4.0,100\n1,20,3.5,200\n2,10,5.0,300\n");
    Dataset d = InteractionReaders.read(file, DataFormat.MOVIELENS, ReadOptions.defaults());
    assertThat(d.size()).isEqualTo(3);
    assertThat(d.userCount()).isEqualTo(2);
    assertThat(d.itemCount()).isEqualTo(2);
    assertThat(d.users().idOf(d.log().user(2))).isEqualTo("2");
    assertThat(d.items().idOf(d.log().item(1))).isEqualTo("20");
    assertThat(d.log().value(1)).isEqualTo(3.5f);
    assertThat(d.log().timestamp(2)).isEqualTo(300);
    assertThat(d.log().type(0)).isEqualTo(InteractionType.RATING);
  }

  @Test
  void readsMl100kAndMl1mAndFindsTheFileInAFolder() throws IOException {
    Path u = write("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n");
    assertThat(InteractionReaders.read(u, DataFormat.MOVIELENS, ReadOptions.defaults()).size()).isEqualTo(2);
    assertThat(InteractionReaders.read(u, DataFormat.ML100K, ReadOptions.defaults()).size()).isEqualTo(2);
    Path sub = Files.createDirectory(dir.resolve("ml-1m"));
    Files.writeString(sub.resolve("ratings.dat"), "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978300000\n");
    Dataset d = InteractionReaders.read(sub, DataFormat.MOVIELENS, ReadOptions.defaults());
    assertThat(d.size()).isEqualTo(3);
    assertThat(d.itemCount()).isEqualTo(2);
  }

  @Test
  void malformedLineNamesFileLineAndField() throws IOException {
    Path file = write("ratings.csv", "userId,movieId,rating,timestamp\n1,10,4.0,100\n1,20,four,200\n");
    assertThatThrownBy(() -> InteractionReaders.read(file, DataFormat.MOVIELENS, ReadOptions.defaults()))
        .isInstanceOf(DataFormatException.class)
        .hasMessage(file + ":3: field 'value': not a number: 'four'")
        .satisfies(e -> {
          DataFormatException d = (DataFormatException) e;
          assertThat(d.line()).isEqualTo(3);
          assertThat(d.field()).isEqualTo("value");
        });
  }

  @Test
  void missingFieldsAndBadTimestampsAreNamed() throws IOException {
    Path shortLine = write("u.data", "1\t2\t3\t4\n5\t6\n");
    assertThatThrownBy(() -> InteractionReaders.read(shortLine, DataFormat.ML100K, ReadOptions.defaults()))
        .hasMessageContaining("u.data:2: field 'value': missing");
    Path badTime = write("t.csv", "user,item,timestamp\na,b,yesterday\n");
    assertThatThrownBy(() -> InteractionReaders.read(badTime, DataFormat.CSV, ReadOptions.defaults()))
        .hasMessageContaining("t.csv:2: field 'timestamp': not a timestamp");
    Path nan = write("n.csv", "user,item,value\na,b,NaN\n");
    assertThatThrownBy(() -> InteractionReaders.read(nan, DataFormat.CSV, ReadOptions.defaults()))
        .hasMessageContaining("n.csv:2: field 'value': not finite");
    Path emptyId = write("e.csv", "user,item\n,b\n");
    assertThatThrownBy(() -> InteractionReaders.read(emptyId, DataFormat.CSV, ReadOptions.defaults()))
        .hasMessageContaining("e.csv:2: field 'user': empty id");
  }

  @Test
  void skipPolicyDropsAndCountsByReason() throws IOException {
    Path file = write("ratings.csv",
        "userId,movieId,rating,timestamp\n1,10,4,100\n1,20,x,200\n2,30,y,300\n2,,3,400\n3,40,2,500\n");
    Dataset d = InteractionReaders.read(file, DataFormat.MOVIELENS, ReadOptions.defaults().withErrors(ErrorPolicy.SKIP));
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.report().rows()).isEqualTo(5);
    assertThat(d.report().invalid()).containsEntry("value: not a number", 2L).containsEntry("item: empty id", 1L);
    assertThat(d.report().examples()).hasSize(3).first().asString().contains("ratings.csv:3");
    assertThat(d.report().summary()).contains("5 rows, 2 accepted, 3 invalid");
  }

  @Test
  void implicitConversionAppliesThresholdAndWeight() throws IOException {
    Path file = write("ratings.csv", "userId,movieId,rating,timestamp\n1,10,4,1\n1,20,2,2\n2,10,5,3\n");
    Dataset all = InteractionReaders.read(file, DataFormat.MOVIELENS, ReadOptions.defaults().asImplicit());
    assertThat(all.size()).isEqualTo(3);
    assertThat(all.log().value(1)).isEqualTo(1f);
    Dataset liked = InteractionReaders.read(file, DataFormat.MOVIELENS, ReadOptions.defaults().withImplicit(4f, 2f));
    assertThat(liked.size()).isEqualTo(2);
    assertThat(liked.report().belowThreshold()).isEqualTo(1);
    assertThat(liked.log().value(0)).isEqualTo(2f);
  }

  @Test
  void duplicatePoliciesKeepLastFirstSumOrAll() throws IOException {
    Path file = write("d.csv", "user,item,value,timestamp\na,x,1,1\na,y,5,2\na,x,3,3\nb,x,2,4\n");
    ReadOptions base = ReadOptions.defaults();
    Dataset last = InteractionReaders.read(file, DataFormat.CSV, base.withDuplicates(DuplicatePolicy.KEEP_LAST));
    assertThat(last.size()).isEqualTo(3);
    assertThat(last.report().duplicatesMerged()).isEqualTo(1);
    // kept events stay in file order: (a,y,5), (a,x,3), (b,x,2)
    assertThat(last.log().value(1)).isEqualTo(3f);
    assertThat(last.log().timestamp(1)).isEqualTo(3);
    Dataset first = InteractionReaders.read(file, DataFormat.CSV, base.withDuplicates(DuplicatePolicy.KEEP_FIRST));
    assertThat(first.log().value(0)).isEqualTo(1f);
    Dataset sum = InteractionReaders.read(file, DataFormat.CSV, base.withDuplicates(DuplicatePolicy.SUM));
    assertThat(sum.log().value(1)).isEqualTo(4f);
    Dataset all = InteractionReaders.read(file, DataFormat.CSV, base.withDuplicates(DuplicatePolicy.KEEP_ALL));
    assertThat(all.size()).isEqualTo(4);
  }

  @Test
  void genericCsvWithColumnMappingAndTypes() throws IOException {
    Path file = write("events.tsv", "ts\tevent\tcustomer\tsku\n1700000000\tpurchase\tc1\ts9\n2023-11-15T00:00:00Z\tclick\tc2\ts9\n");
    ColumnMapping mapping = new ColumnMapping("customer", "sku", null, "ts", "event", InteractionType.VIEW);
    Dataset d = InteractionReaders.read(file, DataFormat.TSV, ReadOptions.defaults(), mapping);
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.log().type(0)).isEqualTo(InteractionType.PURCHASE);
    assertThat(d.log().value(0)).isEqualTo(1f);
    assertThat(d.log().timestamp(1)).isEqualTo(1700006400L);
    Path unknown = write("u.csv", "who,what\na,b\n");
    assertThatThrownBy(() -> InteractionReaders.read(unknown, DataFormat.CSV, ReadOptions.defaults()))
        .hasMessageContaining("u.csv:1: cannot tell whether line 1 [who, what] is a header");
  }

  @Test
  void readsJsonLinesAndNamesBadLines() throws IOException {
    Path file = write("e.jsonl", "{\"user\":\"u1\",\"item\":42,\"type\":\"click\",\"timestamp\":5}\n\n{\"user\":\"u2\",\"item\":\"i\"}\n");
    Dataset d = InteractionReaders.read(file, DataFormat.JSONL, ReadOptions.defaults());
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.items().idOf(d.log().item(0))).isEqualTo("42");
    assertThat(d.log().type(0)).isEqualTo(InteractionType.CLICK);
    Path bad = write("b.jsonl", "{\"user\":\"u1\",\"item\":1}\n{\"user\":\"u1\",\n");
    assertThatThrownBy(() -> InteractionReaders.read(bad, DataFormat.JSONL, ReadOptions.defaults()))
        .hasMessageContaining("b.jsonl:2: malformed JSON");
    Path wrongType = write("w.jsonl", "{\"user\":{\"a\":1},\"item\":1}\n");
    assertThatThrownBy(() -> InteractionReaders.read(wrongType, DataFormat.JSONL, ReadOptions.defaults()))
        .hasMessageContaining("w.jsonl:1: field 'user': expected a string or number");
    Path badType = write("t.jsonl", "{\"user\":\"a\",\"item\":1,\"type\":\"teleport\"}\n");
    assertThatThrownBy(() -> InteractionReaders.read(badType, DataFormat.JSONL, ReadOptions.defaults()))
        .hasMessageContaining("t.jsonl:1: field 'type': unknown interaction type 'teleport'");
  }

  @Test
  void missingFilesAndUnknownFormatsAreClearErrors() {
    assertThatThrownBy(() -> InteractionReaders.read(dir.resolve("nope.csv"), DataFormat.CSV, ReadOptions.defaults()))
        .isInstanceOf(DataFormatException.class).hasMessageContaining("nope.csv: no such file");
    assertThatThrownBy(() -> InteractionReaders.read(dir, DataFormat.MOVIELENS, ReadOptions.defaults()))
        .hasMessageContaining("no MovieLens ratings file");
    assertThatThrownBy(() -> DataFormat.parse("parquet")).hasMessageContaining("unknown format 'parquet'");
  }

  @Test
  void quotedCsvFieldsAreHandled() throws IOException {
    Path file = write("q.csv", "user,item,value\n\"smith, j\",\"item \"\"1\"\"\",2\n");
    Dataset d = InteractionReaders.read(file, DataFormat.CSV, ReadOptions.defaults());
    assertThat(d.users().idOf(0)).isEqualTo("smith, j");
    assertThat(d.items().idOf(0)).isEqualTo("item \"1\"");
  }
}
