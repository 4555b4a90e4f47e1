package io.perennial.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The lines of a text file, numbered from 1, for every reader. Lines are split on the bytes (LF,
 * CRLF or CR) and each is decoded on its own, so a line that is not valid in the charset is one bad
 * line, named, that {@link ErrorPolicy#SKIP} can drop, and not the end of the file. A UTF-8 byte
 * order mark at the start is dropped (Excel writes one).
 */
final class TextLines implements Closeable {

  /** Longest line kept; a longer one (usually a binary file) is an error and is skipped unread. */
  static final int MAX_LINE_BYTES = 8 << 20;

  /** One physical line: its text, or why it has none. */
  record Line(long number, String text, String problem) {}

  private final String file;
  private final InputStream in;
  private final Charset charset;
  private final CharsetDecoder decoder;
  private final byte[] buffer = new byte[1 << 16];
  private int position;
  private int limit;
  private byte[] line = new byte[256];
  private int lineLength;
  private long number;
  private boolean atStart = true;

  TextLines(Path file, Charset charset) {
    this.file = file.toString();
    this.charset = charset;
    this.decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      this.in = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new DataFormatException(this.file, 0, null, "no such file");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  String file() {
    return file;
  }

  /** The next line, or {@code null} at the end of the file. */
  Line next() {
    lineLength = 0;
    boolean tooLong = false;
    boolean any = false;
    while (true) {
      if (position == limit && !fill()) {
        if (!any) {
          return null;
        }
        break;
      }
      any = true;
      byte b = buffer[position++];
      if (b == '\n') {
        break;
      }
      if (b == '\r') {
        if ((position < limit || fill()) && buffer[position] == '\n') {
          position++;
        }
        break;
      }
      if (lineLength == MAX_LINE_BYTES) {
        tooLong = true;
        continue;
      }
      if (lineLength == line.length) {
        line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, line.length * 2));
      }
      line[lineLength++] = b;
    }
    number++;
    int start = 0;
    if (atStart) {
      atStart = false;
      if (lineLength >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF) {
        start = 3;
      }
    }
    if (tooLong) {
      return new Line(number, null, "line longer than " + (MAX_LINE_BYTES >> 20) + " MB (is this a binary file?)");
    }
    return decode(start);
  }

  private Line decode(int start) {
    boolean ascii = true;
    for (int i = start; i < lineLength; i++) {
      if (line[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii || charset.equals(StandardCharsets.ISO_8859_1)) {
      // ASCII is the same in every charset we read; Latin-1 maps each byte to one character.
      return new Line(number, new String(line, start, lineLength - start, StandardCharsets.ISO_8859_1), null);
    }
    try {
      return new Line(number, decoder.reset().decode(ByteBuffer.wrap(line, start, lineLength - start)).toString(), null);
    } catch (CharacterCodingException e) {
      return new Line(number, null, "not valid " + charset.name() + " text (is this a binary file, or another encoding?)");
    }
  }

  private boolean fill() {
    try {
      int n = in.read(buffer);
      if (n <= 0) {
        return false;
      }
      position = 0;
      limit = n;
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
    }
  }
}
