package dev.robin.accounts.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * This node's own token buckets, used when a key's sharded bucket cannot answer (its node is unreachable, or it
 * timed out): the same limits, counted here only. At most {@code maxBuckets} keys are kept, the least recently used
 * dropped first, so a flood of distinct IPs cannot grow it. Thread-safe.
 */
final class LocalBuckets {

  private final RateLimitSettings settings;
  private final LongSupplier nanoClock;
  private final Map<String, TokenBucket> buckets;

  LocalBuckets(RateLimitSettings settings, LongSupplier nanoClock) {
    this.settings = settings;
    this.nanoClock = nanoClock;
    int maxBuckets = Math.max(1, settings.maxActiveBuckets());
    this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
        return size() > maxBuckets;
      }
    };
  }

  synchronized RateDecision tryAcquire(BucketKey key) {
    return buckets.computeIfAbsent(key.entityId(), id -> {
      RateLimitSettings.Limit limit = settings.limitFor(key.kind());
      return new TokenBucket(limit.requests(), limit.window(), nanoClock);
    }).tryAcquire();
  }
}
