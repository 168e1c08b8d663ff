package dev.robin.accounts.store;

import java.time.LocalDate;

/**
 * A key's usage on one UTC day.
 *
 * @param day the UTC date
 * @param numRequests requests that ended that day
 * @param promptTokens prompt tokens summed over those requests
 * @param completionTokens completion tokens summed over those requests
 */
public record DailyUsage(LocalDate day, long numRequests, long promptTokens, long completionTokens) {

  /** Prompt plus completion tokens. */
  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
