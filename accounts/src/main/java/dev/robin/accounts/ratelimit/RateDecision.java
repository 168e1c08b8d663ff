package dev.robin.accounts.ratelimit;

import java.time.Duration;

/**
 * The answer of a bucket to one request.
 *
 * @param allowed whether the request may proceed (a token was taken)
 * @param limit the bucket's capacity (requests per window)
 * @param remaining whole tokens left after this request
 * @param resetAfter time until the bucket is full again
 * @param retryAfter when denied, time until one token is back; zero when allowed
 */
public record RateDecision(boolean allowed, long limit, long remaining, Duration resetAfter, Duration retryAfter)
    implements RateLimitMessage {

  /** The decision used when the limiter cannot be reached in time: the request is let through, unmetered. */
  public static RateDecision unmetered(long limit) {
    return new RateDecision(true, limit, limit, Duration.ZERO, Duration.ZERO);
  }
}
