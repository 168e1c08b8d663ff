package dev.robin.accounts.ratelimit;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket: {@code capacity} tokens, refilled continuously so that an empty bucket is full again after
 * {@code window}; each request takes one token. Not thread-safe (one actor owns each bucket). Time comes from an
 * injected nanosecond clock, so tests need no sleeps.
 *
 * <p>Arithmetic is exact: one token is {@code windowNanos} units and the bucket gains {@code capacity} units per
 * nanosecond, so e.g. 150 per 15 minutes refills exactly one token every 6 s.
 */
public final class TokenBucket {

  private final long capacity;
  private final long windowNanos;
  private final long fullUnits;
  private final LongSupplier nanoClock;
  private long units;
  private long lastRefillNanos;

  /** A full bucket. */
  public TokenBucket(long capacity, Duration window, LongSupplier nanoClock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a rate limit must allow at least 1 request, got " + capacity);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("a rate-limit window must be positive, got " + window);
    }
    this.capacity = capacity;
    this.windowNanos = window.toNanos();
    try {
      this.fullUnits = Math.multiplyExact(capacity, windowNanos);
    } catch (ArithmeticException tooLarge) {
      throw new IllegalArgumentException("rate limit " + capacity + " per " + window + " is too large", tooLarge);
    }
    this.nanoClock = nanoClock;
    this.units = fullUnits;
    this.lastRefillNanos = nanoClock.getAsLong();
  }

  /** Takes a token if one is available. */
  public RateDecision tryAcquire() {
    refill();
    boolean allowed = units >= windowNanos;
    if (allowed) {
      units -= windowNanos;
    }
    Duration retryAfter = allowed ? Duration.ZERO : Duration.ofNanos(ceilDiv(windowNanos - units, capacity));
    return new RateDecision(allowed, capacity, units / windowNanos, timeUntilFull(), retryAfter);
  }

  /** Whole tokens available now. */
  public long remaining() {
    refill();
    return units / windowNanos;
  }

  /** Time until the bucket is full again; zero if it is. */
  public Duration timeUntilFull() {
    refill();
    return Duration.ofNanos(ceilDiv(fullUnits - units, capacity));
  }

  /** Whether the bucket is full: forgetting it now loses nothing, since a new bucket starts full. */
  public boolean isFull() {
    refill();
    return units == fullUnits;
  }

  public long capacity() {
    return capacity;
  }

  private void refill() {
    long now = nanoClock.getAsLong();
    long elapsed = now - lastRefillNanos;
    if (elapsed <= 0) {
      return; // a clock that stands still (or steps back) adds nothing
    }
    lastRefillNanos = now;
    if (elapsed >= windowNanos) {
      units = fullUnits;
    } else {
      units = Math.min(fullUnits, units + elapsed * capacity);
    }
  }

  private static long ceilDiv(long dividend, long divisor) {
    return dividend <= 0 ? 0 : (dividend + divisor - 1) / divisor;
  }
}
