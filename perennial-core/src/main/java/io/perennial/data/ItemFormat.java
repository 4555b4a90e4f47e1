package io.perennial.data;

import java.util.Locale;

/** Layouts of item metadata files understood by {@link ItemCatalog#read}. */
public enum ItemFormat {
  /**
   * Decided from the name: a folder is read as a MovieLens folder, {@code u.item} as {@link #ML100K},
   * a {@code .dat} file as {@link #ML1M}, {@code .jsonl}/{@code .ndjson} as {@link #JSONL}, {@code
   * .tsv} as {@link #TSV}, {@code movies.csv} or a file starting with its {@code movieId,title,genres}
   * header as {@link #MOVIELENS}, any other file as {@link #CSV}.
   */
  AUTO,
  /** {@code movieId,title,genres} with a header, genres separated by {@code |} (ml-latest, ml-25m). */
  MOVIELENS,
  /** ml-100k {@code u.item}: {@code id|title|release|video release|url|} 19 genre flags, Latin-1. */
  ML100K,
  /** ml-1m {@code movies.dat}: {@code id::title::genres}, Latin-1. */
  ML1M,
  /** Generic comma-separated values with a column mapping. */
  CSV,
  /** Generic tab-separated values with a column mapping. */
  TSV,
  /** JSON Lines: one item object per line, members named by the column mapping. */
  JSONL;

  /** The name on the command line. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a CLI name: auto, movielens, ml100k, ml1m, csv, tsv, jsonl. */
  public static ItemFormat parse(String text) {
    String key = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
    for (ItemFormat f : values()) {
      if (f.name().equals(key)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown item format " + DataFormatException.quote(text)
        + " (expected auto, movielens, ml100k, ml1m, csv, tsv or jsonl)");
  }
}
