package io.perennial.data;

import java.util.Locale;

/** Input formats understood by {@link InteractionReaders}. */
public enum DataFormat {
  /**
   * MovieLens, detected from the file name: {@code ratings.csv} (ml-latest, ml-latest-small, ml-25m),
   * {@code u.data} or {@code u1.base}… (ml-100k), {@code ratings.dat} (ml-1m, ml-10m). A directory is
   * searched for one of those.
   */
  MOVIELENS,
  /** ml-100k tab-separated {@code user item rating timestamp}, no header. */
  ML100K,
  /** ml-1m/ml-10m {@code user::item::rating::timestamp}, no header. */
  ML1M,
  /** ml-latest/ml-25m {@code userId,movieId,rating,timestamp} with a header. */
  ML25M,
  /** Generic CSV with a header and a column mapping. */
  CSV,
  /** Generic tab-separated values with a header and a column mapping. */
  TSV,
  /** JSON Lines, one event object per line. */
  JSONL,
  /**
   * {@code seq-pairs}: one {@code user item} pair per line, separated by spaces or tabs, no
   * timestamp; within a user the file order is the time order (SASRec's published data files).
   */
  SEQ_PAIRS,
  /** {@code seq-lines}: one line per user, {@code user item1 item2 …} in time order. */
  SEQ_LINES;

  /** The name on the command line: {@code movielens}, {@code seq-pairs}, … */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses a CLI name: movielens, ml100k, ml1m, ml25m, csv, tsv, jsonl, seq-pairs, seq-lines. */
  public static DataFormat parse(String text) {
    String key = text.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
    for (DataFormat f : values()) {
      if (f.name().replace("_", "").equals(key)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown format '" + text + "' (expected movielens, ml100k, ml1m, ml25m, csv, tsv, jsonl, seq-pairs or seq-lines)");
  }
}
