package io.perennial.model.transfer;

import java.util.Locale;

/** How a target item finds its source item first: by the same external id, or by {@link TitleKey}. */
public enum ItemKey {
  ID,
  TITLE;

  /** {@code id} or {@code title}, as the CLI spells it. */
  public static ItemKey parse(String name) {
    for (ItemKey k : values()) {
      if (k.name().toLowerCase(Locale.ROOT).equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown item key '" + name + "' (expected id or title)");
  }

  /** The lower-case name. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
