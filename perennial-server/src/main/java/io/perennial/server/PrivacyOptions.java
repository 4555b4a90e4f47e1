package io.perennial.server;

import java.time.Clock;
import java.time.Duration;

/**
 * How long a server keeps events, and the clock it measures that by.
 *
 * @param retentionDays days an event is kept ({@code 0} forever); {@code null} keeps the period
 *     last set through the admin route (forever when none was)
 * @param purgeEvery how often the retention purge runs
 * @param clock the clock of retention and of the audit's times (tests inject a fixed one)
 */
public record PrivacyOptions(Integer retentionDays, Duration purgeEvery, Clock clock) {

  /** Keep the saved retention period, purge hourly, on the system clock. */
  public static PrivacyOptions defaults() {
    return new PrivacyOptions(null, Duration.ofHours(1), Clock.systemUTC());
  }

  /** These options with a retention period given on the command line. */
  public PrivacyOptions withRetentionDays(Integer days) {
    return new PrivacyOptions(days, purgeEvery, clock);
  }
}
