package dev.robin.accounts.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private final ManualClock clock = new ManualClock();

  @Test
  void allowsCapacityThenDeniesWithRetryAfterOneRefillInterval() {
    TokenBucket bucket = new TokenBucket(150, Duration.ofMinutes(15), clock);
    for (int i = 1; i <= 150; i++) {
      RateDecision decision = bucket.tryAcquire();
      assertTrue(decision.allowed(), "request " + i);
      assertEquals(150 - i, decision.remaining());
      assertEquals(150, decision.limit());
    }
    RateDecision denied = bucket.tryAcquire();
    assertFalse(denied.allowed());
    assertEquals(0, denied.remaining());
    assertEquals(Duration.ofSeconds(6), denied.retryAfter(), "150 per 15 min refills one token every 6 s");
    assertEquals(Duration.ofMinutes(15), denied.resetAfter());
  }

  @Test
  void refillsContinuouslyAtTheConfiguredRate() {
    TokenBucket bucket = new TokenBucket(60, Duration.ofMinutes(1), clock);
    for (int i = 0; i < 60; i++) {
      bucket.tryAcquire();
    }
    assertFalse(bucket.tryAcquire().allowed());

    clock.advance(Duration.ofMillis(999));
    RateDecision early = bucket.tryAcquire();
    assertFalse(early.allowed());
    assertEquals(Duration.ofMillis(1), early.retryAfter());

    clock.advance(Duration.ofMillis(1));
    assertTrue(bucket.tryAcquire().allowed(), "one token per second");
    assertFalse(bucket.tryAcquire().allowed());

    clock.advance(Duration.ofSeconds(10));
    assertEquals(10, bucket.remaining());
    clock.advance(Duration.ofHours(3));
    assertEquals(60, bucket.remaining(), "never more than the capacity");
    assertTrue(bucket.isFull());
    assertEquals(Duration.ZERO, bucket.timeUntilFull());
  }

  @Test
  void resetAfterIsTheTimeUntilFull() {
    TokenBucket bucket = new TokenBucket(500, Duration.ofMinutes(15), clock);
    RateDecision first = bucket.tryAcquire();
    assertEquals(Duration.ofMillis(1800), first.resetAfter(), "one token of 500 per 15 min is 1.8 s");
    assertFalse(bucket.isFull());
    clock.advance(Duration.ofMillis(1800));
    assertTrue(bucket.isFull());
  }

  @Test
  void aClockThatStepsBackAddsNothing() {
    TokenBucket bucket = new TokenBucket(1, Duration.ofSeconds(1), clock);
    assertTrue(bucket.tryAcquire().allowed());
    clock.advance(Duration.ofSeconds(-5));
    assertFalse(bucket.tryAcquire().allowed());
  }

  @Test
  void rejectsNonsenseLimits() {
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, Duration.ofMinutes(1), clock));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(5, Duration.ZERO, clock));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Long.MAX_VALUE, Duration.ofDays(1), clock));
  }
}
