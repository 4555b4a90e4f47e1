package io.perennial.model.transfer;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A title as a matching key: lower case, accents and punctuation stripped, whitespace collapsed, and
 * a trailing {@code (1995)} kept apart as the year. MovieLens' "Toy Story (1995)" and another
 * catalogue's "toy story" share the title; two keys match when their titles are equal and, when both
 * have a year, the years are too (so remakes under one title stay apart).
 *
 * @param title the normalised title (may be empty)
 * @param year the trailing year, or 0 when the title has none
 */
public record TitleKey(String title, int year) {

  private static final Pattern TRAILING_YEAR = Pattern.compile("\\(\\s*(\\d{4})\\s*\\)\\s*$");
  private static final Pattern MARKS = Pattern.compile("\\p{M}+");
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

  /** The key of a raw title, or {@code null} when {@code raw} is null or has no letters or digits. */
  public static TitleKey of(String raw) {
    if (raw == null) {
      return null;
    }
    String text = raw.strip();
    int year = 0;
    Matcher m = TRAILING_YEAR.matcher(text);
    if (m.find()) {
      year = Integer.parseInt(m.group(1));
      text = text.substring(0, m.start());
    }
    String plain = MARKS.matcher(Normalizer.normalize(text, Normalizer.Form.NFD)).replaceAll("");
    String normalised = NON_WORD.matcher(plain.toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
    if (normalised.isEmpty()) {
      return null;
    }
    return new TitleKey(normalised, year);
  }

  /** Equal titles, and equal years when both have one. */
  public boolean matches(TitleKey other) {
    return other != null && title.equals(other.title) && (year == 0 || other.year == 0 || year == other.year);
  }
}
