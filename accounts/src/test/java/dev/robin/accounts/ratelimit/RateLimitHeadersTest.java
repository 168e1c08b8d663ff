package dev.robin.accounts.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {

  @Test
  void formatsDurationsLikeOpenAi() {
    assertEquals("0s", RateLimitHeaders.formatDuration(Duration.ZERO));
    assertEquals("250ms", RateLimitHeaders.formatDuration(Duration.ofMillis(250)));
    assertEquals("1ms", RateLimitHeaders.formatDuration(Duration.ofNanos(1)));
    assertEquals("6s", RateLimitHeaders.formatDuration(Duration.ofSeconds(6)));
    assertEquals("2s", RateLimitHeaders.formatDuration(Duration.ofMillis(1001)), "rounded up");
    assertEquals("1m30s", RateLimitHeaders.formatDuration(Duration.ofSeconds(90)));
    assertEquals("15m0s", RateLimitHeaders.formatDuration(Duration.ofMinutes(15)));
    assertEquals("1h0m1s", RateLimitHeaders.formatDuration(Duration.ofSeconds(3601)));
  }

  @Test
  void allowedResponsesCarryLimitRemainingAndReset() {
    RateDecision allowed = new RateDecision(true, 500, 499, Duration.ofMillis(1800), Duration.ZERO);
    assertEquals(List.of(
            Map.entry("x-ratelimit-limit-requests", "500"),
            Map.entry("x-ratelimit-remaining-requests", "499"),
            Map.entry("x-ratelimit-reset-requests", "2s")),
        RateLimitHeaders.of(allowed));
  }

  @Test
  void deniedResponsesAlsoCarryRetryAfterInSecondsAndMillis() {
    RateDecision denied = new RateDecision(false, 150, 0, Duration.ofMinutes(15), Duration.ofMillis(5500));
    assertEquals(List.of(
            Map.entry("x-ratelimit-limit-requests", "150"),
            Map.entry("x-ratelimit-remaining-requests", "0"),
            Map.entry("x-ratelimit-reset-requests", "15m0s"),
            Map.entry("Retry-After", "6"),
            Map.entry("retry-after-ms", "5500")),
        RateLimitHeaders.of(denied));
    RateDecision almost = new RateDecision(false, 1, 0, Duration.ofMillis(3), Duration.ofMillis(3));
    assertEquals("1", RateLimitHeaders.of(almost).get(3).getValue(), "Retry-After is never 0 on a denial");
  }
}
