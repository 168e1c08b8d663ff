package dev.robin.accounts.ratelimit;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code robin.rate-limits} block.
 *
 * @param enabled whether requests are limited at all
 * @param unauthenticated requests per window per client IP without a key
 * @param authenticated requests per window per API key
 * @param listing {@code GET /models} requests per window per key or IP, counted apart
 * @param failedAuthentication failed authentications (unknown or revoked key, wrong admin token) per window per
 *     client IP; past it such attempts get 429, while a valid key or admin token is still served
 * @param trustedProxies IPs or CIDR ranges whose {@code X-Forwarded-For} is believed
 * @param askTimeout longest a request waits for its bucket; past it the request is let through unmetered
 * @param maxActiveBuckets most buckets kept in memory per node; beyond it the least recently used are dropped
 */
public record RateLimitSettings(
    boolean enabled,
    Limit unauthenticated,
    Limit authenticated,
    Limit listing,
    Limit failedAuthentication,
    List<String> trustedProxies,
    Duration askTimeout,
    int maxActiveBuckets) {

  /**
   * A limit: {@code requests} per {@code window}.
   *
   * @param requests bucket capacity
   * @param window time to refill an empty bucket
   */
  public record Limit(long requests, Duration window) {
    public Limit {
      if (requests < 1) {
        throw new IllegalArgumentException("a rate limit must allow at least 1 request, got " + requests);
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("a rate-limit window must be positive, got " + window);
      }
      // TokenBucket counts in requests x window-nanoseconds; refuse at startup what it could not represent,
      // rather than failing each bucket (and so each request's ask) later.
      try {
        Math.multiplyExact(requests, window.toNanos());
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            "rate limit " + requests + " per " + window + " is too large (requests x window must stay below "
                + "about 9.2e18 request-nanoseconds)", e);
      }
    }

    static Limit fromConfig(Config config) {
      return new Limit(config.getLong("requests"), config.getDuration("window"));
    }
  }

  /** The failed-authentication limit when none is given: 20 per 15 minutes per IP. */
  public static final Limit DEFAULT_FAILED_AUTHENTICATION = new Limit(20, Duration.ofMinutes(15));

  /** Without a failed-authentication limit of its own: {@link #DEFAULT_FAILED_AUTHENTICATION}. */
  public RateLimitSettings(boolean enabled, Limit unauthenticated, Limit authenticated, Limit listing,
      List<String> trustedProxies, Duration askTimeout, int maxActiveBuckets) {
    this(enabled, unauthenticated, authenticated, listing, DEFAULT_FAILED_AUTHENTICATION, trustedProxies, askTimeout,
        maxActiveBuckets);
  }

  public RateLimitSettings {
    trustedProxies = List.copyOf(trustedProxies);
    if (maxActiveBuckets < 1) {
      throw new IllegalArgumentException("robin.rate-limits.max-active-buckets must be >= 1, got "
          + maxActiveBuckets);
    }
  }

  /** The limit of a bucket kind. */
  public Limit limitFor(BucketKey.Kind kind) {
    return switch (kind) {
      case IP -> unauthenticated;
      case KEY -> authenticated;
      case LISTING_IP, LISTING_KEY -> listing;
      case AUTH_FAILURE -> failedAuthentication;
    };
  }

  /** The longest window: a bucket idle that long is full, so forgetting it loses nothing. */
  public Duration longestWindow() {
    Duration longest = unauthenticated.window();
    for (Limit limit : List.of(authenticated, listing, failedAuthentication)) {
      if (limit.window().compareTo(longest) > 0) {
        longest = limit.window();
      }
    }
    return longest;
  }

  /** Reads {@code robin.rate-limits}. */
  public static RateLimitSettings fromConfig(Config limits) {
    List<String> proxies = Arrays.stream(limits.getString("trusted-proxies").split(","))
        .map(String::trim)
        .filter(entry -> !entry.isEmpty())
        .toList();
    return new RateLimitSettings(
        limits.getBoolean("enabled"),
        Limit.fromConfig(limits.getConfig("unauthenticated")),
        Limit.fromConfig(limits.getConfig("authenticated")),
        Limit.fromConfig(limits.getConfig("listing")),
        Limit.fromConfig(limits.getConfig("failed-authentication")),
        proxies,
        limits.getDuration("ask-timeout"),
        limits.getInt("max-active-buckets"));
  }
}
