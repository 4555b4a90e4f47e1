package io.perennial.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceFormatsTest {

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  /** External item ids of {@code user}'s sequence, oldest first. */
  private static String[] sequence(Dataset d, String user) {
    UserSequences s = UserSequences.of(d.log());
    int[] items = s.items(d.users().indexOf(user));
    String[] out = new String[items.length];
    for (int n = 0; n < items.length; n++) {
      out[n] = d.items().idOf(items[n]);
    }
    return out;
  }

  @Test
  void seqPairsKeepFileOrderWithinEachUserWhateverTheItemIds() throws IOException {
    // Users interleaved, items out of id order, tabs and runs of spaces mixed.
    Path file = write("seq.txt", "1 30\n2\t5\n1   10\n1\t20\n\n2 7 \n");
    Dataset d = InteractionReaders.read(file, DataFormat.SEQ_PAIRS, ReadOptions.defaults());
    assertThat(d.size()).isEqualTo(5);
    assertThat(sequence(d, "1")).containsExactly("30", "10", "20");
    assertThat(sequence(d, "2")).containsExactly("5", "7");
    assertThat(d.log().value(0)).isEqualTo(1f);
    assertThat(d.report().inFileOrder()).isTrue();
    assertThat(d.report().header()).isEqualTo("no header (detected)");
  }

  @Test
  void seqLinesGiveEachItemItsOwnTimeInLineOrder() throws IOException {
    Path file = write("lines.txt", "u1 c a b\nu2\tz\ty\n");
    Dataset d = InteractionReaders.read(file, DataFormat.SEQ_LINES, ReadOptions.defaults());
    assertThat(d.report().rows()).isEqualTo(2);
    assertThat(d.size()).isEqualTo(5);
    assertThat(sequence(d, "u1")).containsExactly("c", "a", "b");
    assertThat(sequence(d, "u2")).containsExactly("z", "y");
    // Distinct, increasing times: models that weigh recency see the order too.
    for (int e = 1; e < d.size(); e++) {
      assertThat(d.log().timestamp(e)).isGreaterThan(d.log().timestamp(e - 1));
    }
  }

  @Test
  void aHeaderLineIsDetectedByItsColumnNames() throws IOException {
    Path file = write("h.txt", "user_id item_id\n1 2\n1 3\n");
    Dataset d = InteractionReaders.read(file, DataFormat.SEQ_PAIRS, ReadOptions.defaults());
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.report().header()).isEqualTo("header: detected");
    Dataset told = InteractionReaders.read(file, DataFormat.SEQ_PAIRS, ReadOptions.defaults().withHeader(HeaderMode.ABSENT));
    assertThat(told.size()).isEqualTo(3);
  }

  @Test
  void badLinesNameFileLineAndField() throws IOException {
    Path three = write("three.txt", "1 2\n1 2 3\n");
    assertThatThrownBy(() -> InteractionReaders.read(three, DataFormat.SEQ_PAIRS, ReadOptions.defaults()))
        .isInstanceOf(DataFormatException.class)
        .hasMessage(three + ":2: expected 2 fields (user item), found 3 (a line per user with all its items is --format seq-lines)");
    Path lone = write("lone.txt", "a b c\nd\n");
    assertThatThrownBy(() -> InteractionReaders.read(lone, DataFormat.SEQ_LINES, ReadOptions.defaults()))
        .hasMessage(lone + ":2: expected a user and at least one item, found 1 field");
    Path control = write("control.txt", "a b\nc d\u0007e\n");
    assertThatThrownBy(() -> InteractionReaders.read(control, DataFormat.SEQ_LINES, ReadOptions.defaults()))
        .isInstanceOfSatisfying(DataFormatException.class, e -> {
          assertThat(e.line()).isEqualTo(2);
          assertThat(e.field()).isEqualTo("item 1");
          assertThat(e.problem()).startsWith("id contains a control character (U+0007");
        });
    Path binary = dir.resolve("binary.txt");
    Files.write(binary, new byte[] {'a', ' ', 'b', '\n', 'c', ' ', (byte) 0xFF, '\n'});
    assertThatThrownBy(() -> InteractionReaders.read(binary, DataFormat.SEQ_PAIRS, ReadOptions.defaults()))
        .hasMessageStartingWith(binary + ":2: not valid UTF-8 text");
  }

  @Test
  void skipDropsABadLineWholeAndCountsIt() throws IOException {
    Path file = write("skip.txt", "u1 a b\nu2 x y\u0001 z\nu3 q\n");
    Dataset d = InteractionReaders.read(file, DataFormat.SEQ_LINES, ReadOptions.defaults().withErrors(ErrorPolicy.SKIP));
    assertThat(d.report().rows()).isEqualTo(3);
    assertThat(d.report().invalidTotal()).isEqualTo(1);
    assertThat(d.report().examples()).singleElement().asString().startsWith(file + ":2: field 'item 2': ");
    // u2's valid items x and z are not kept: a sequence with a hole would teach a wrong order.
    assertThat(d.size()).isEqualTo(3);
    assertThat(d.users().indexOf("u2")).isNegative();
    assertThat(sequence(d, "u3")).containsExactly("q");
  }

  @Test
  void formatNamesParseAndADelimiterIsRefused() throws IOException {
    assertThat(DataFormat.parse("seq-pairs")).isEqualTo(DataFormat.SEQ_PAIRS);
    assertThat(DataFormat.parse("SEQ_LINES")).isEqualTo(DataFormat.SEQ_LINES);
    assertThat(DataFormat.SEQ_LINES.cliName()).isEqualTo("seq-lines");
    assertThatThrownBy(() -> DataFormat.parse("seq")).hasMessageContaining("seq-pairs or seq-lines");
    Path file = write("d.txt", "1 2\n");
    assertThatThrownBy(() -> InteractionReaders.read(file, DataFormat.SEQ_PAIRS,
        ReadOptions.defaults().withDelimiter(Delimiter.COMMA)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fixed layout");
  }

  @Test
  void userSequencesOrderByTimestampThenLogOrder() {
    InteractionLog log = new InteractionLog();
    log.add(0, 5, 1f, 300, InteractionType.VIEW);
    log.add(1, 9, 1f, 100, InteractionType.VIEW);
    log.add(0, 6, 1f, 100, InteractionType.VIEW);
    log.add(0, 7, 1f, 100, InteractionType.VIEW);
    log.add(0, 8, 1f, 200, InteractionType.VIEW);
    UserSequences s = UserSequences.of(log);
    assertThat(s.users()).isEqualTo(2);
    assertThat(s.size()).isEqualTo(5);
    assertThat(s.items(0)).containsExactly(6, 7, 8, 5);
    assertThat(s.events(0)).containsExactly(2, 3, 4, 0);
    assertThat(s.event(0, 3)).isEqualTo(0);
    assertThat(s.items(1)).containsExactly(9);
    assertThat(s.length(7)).isZero();
    assertThat(s.items(7)).isEmpty();
    assertThatThrownBy(() -> s.event(1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
