package io.perennial.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import java.io.IOException;

/**
 * A JSON generator that writes {@code null} for a number JSON cannot carry. JSON has no NaN or
 * infinity, and Jackson would write them as the strings {@code "NaN"} and {@code "Infinity"} in a
 * numeric field; a reader gets null, which every JSON library parses. Every JSON writer of
 * Perennial's (the CLI's files, the server's responses) is built on {@link #factory()}, so trees
 * and records alike go through it.
 */
public final class NonFiniteAsNull extends JsonGeneratorDelegate {

  private NonFiniteAsNull(JsonGenerator generator) {
    super(generator, true);
  }

  /** A JSON factory whose generators write non-finite numbers as null. */
  public static JsonFactory factory() {
    return JsonFactory.builder().addDecorator((factory, generator) -> new NonFiniteAsNull(generator)).build();
  }

  @Override
  public void writeNumber(double v) throws IOException {
    if (Double.isFinite(v)) {
      super.writeNumber(v);
    } else {
      writeNull();
    }
  }

  @Override
  public void writeNumber(float v) throws IOException {
    if (Float.isFinite(v)) {
      super.writeNumber(v);
    } else {
      writeNull();
    }
  }
}
