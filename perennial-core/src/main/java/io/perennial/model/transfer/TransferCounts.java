package io.perennial.model.transfer;

/**
 * How a transfer started the target's items and users.
 *
 * @param key the first match's key ({@code id} or {@code title})
 * @param matchedByKey target items matched by that key
 * @param matchedByText target items matched by nearest text vector
 * @param mapped target items started from the content mapping
 * @param fresh target items started at random
 * @param sourceItems items in the source model
 * @param matchedUsers target users started from a source user of the same id
 * @param fineTune how the transferred rows learned
 */
public record TransferCounts(String key, int matchedByKey, int matchedByText, int mapped, int fresh,
    int sourceItems, int matchedUsers, String fineTune) {

  /** One line for a terminal. */
  public String summary() {
    return String.format(java.util.Locale.ROOT,
        "transfer: %d items matched by %s, %d by text, %d mapped from content, %d fresh (source has %d items)%s; fine-tune %s",
        matchedByKey, key, matchedByText, mapped, fresh, sourceItems,
        matchedUsers > 0 ? "; " + matchedUsers + " users matched by id" : "", fineTune);
  }
}
