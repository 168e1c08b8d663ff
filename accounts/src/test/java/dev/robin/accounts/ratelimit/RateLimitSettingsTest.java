package dev.robin.accounts.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Limits that a token bucket cannot represent are refused when the settings are read, not per request. */
class RateLimitSettingsTest {

  @Test
  void theSpecsLimitsAreAccepted() {
    RateLimitSettings.Limit limit = new RateLimitSettings.Limit(500, Duration.ofMinutes(15));
    assertEquals(500, limit.requests());
  }

  @Test
  void aLimitWhoseBucketWouldOverflowIsRefusedAtStartup() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RateLimitSettings.Limit(100_000_000, Duration.ofMinutes(15)));
    assertTrue(e.getMessage().contains("too large"), e.getMessage());
    // The same limit is accepted by the settings exactly when a bucket can be built from it.
    new TokenBucket(1_000_000, Duration.ofMinutes(15), System::nanoTime);
    new RateLimitSettings.Limit(1_000_000, Duration.ofMinutes(15));
  }
}
