package dev.robin.accounts.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The contract's rate-limit response headers for a decision: {@code x-ratelimit-limit-requests},
 * {@code x-ratelimit-remaining-requests}, {@code x-ratelimit-reset-requests} on every limited response, and on a
 * denial also {@code Retry-After} (whole seconds, rounded up) and {@code retry-after-ms}.
 */
public final class RateLimitHeaders {

  public static final String LIMIT = "x-ratelimit-limit-requests";
  public static final String REMAINING = "x-ratelimit-remaining-requests";
  public static final String RESET = "x-ratelimit-reset-requests";
  public static final String RETRY_AFTER = "Retry-After";
  public static final String RETRY_AFTER_MS = "retry-after-ms";

  private RateLimitHeaders() {}

  /** Header names and values, in the order above. */
  public static List<Map.Entry<String, String>> of(RateDecision decision) {
    List<Map.Entry<String, String>> headers = new ArrayList<>(5);
    headers.add(Map.entry(LIMIT, Long.toString(decision.limit())));
    headers.add(Map.entry(REMAINING, Long.toString(decision.remaining())));
    headers.add(Map.entry(RESET, formatDuration(decision.resetAfter())));
    if (!decision.allowed()) {
      long millis = ceilMillis(decision.retryAfter());
      headers.add(Map.entry(RETRY_AFTER, Long.toString(Math.max(1, (millis + 999) / 1000))));
      headers.add(Map.entry(RETRY_AFTER_MS, Long.toString(millis)));
    }
    return headers;
  }

  /**
   * A duration the way OpenAI's headers write it (Go's format): {@code 6s}, {@code 1m30s}, {@code 15m0s},
   * {@code 1h0m0s}; under a second {@code 250ms}; zero {@code 0s}. Rounded up, so a client that waits that long
   * finds the bucket reset.
   */
  public static String formatDuration(Duration duration) {
    long millis = ceilMillis(duration);
    if (millis == 0) {
      return "0s";
    }
    if (millis < 1000) {
      return millis + "ms";
    }
    long seconds = (millis + 999) / 1000;
    long hours = seconds / 3600;
    long minutes = (seconds % 3600) / 60;
    long secs = seconds % 60;
    if (hours > 0) {
      return hours + "h" + minutes + "m" + secs + "s";
    }
    if (minutes > 0) {
      return minutes + "m" + secs + "s";
    }
    return secs + "s";
  }

  private static long ceilMillis(Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      return 0;
    }
    long millis = duration.toMillis();
    return duration.minusMillis(millis).isZero() ? millis : millis + 1;
  }
}
