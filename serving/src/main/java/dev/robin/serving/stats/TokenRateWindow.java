package dev.robin.serving.stats;

/**
 * Tokens per second over the last minute, in 60 one-second buckets (constant memory, O(1) per record).
 * Until a minute has passed since the first record, the rate is over the time elapsed so far, so a fresh
 * replica does not report a sixtieth of its real speed. Not thread-safe: its actor owns it.
 */
public final class TokenRateWindow {

  private static final int NUM_BUCKETS = 60;
  private static final long SECOND_NANOS = 1_000_000_000L;

  private final long[] counts = new long[NUM_BUCKETS];
  private final long[] bucketSecond = new long[NUM_BUCKETS];
  private long firstSecond = Long.MIN_VALUE;

  public void record(long numTokens, long nowNanos) {
    long second = Math.floorDiv(nowNanos, SECOND_NANOS);
    if (firstSecond == Long.MIN_VALUE) {
      firstSecond = second;
    }
    int i = (int) Math.floorMod(second, NUM_BUCKETS);
    if (bucketSecond[i] != second) {
      bucketSecond[i] = second;
      counts[i] = 0;
    }
    counts[i] += numTokens;
  }

  public double tokensPerSecond(long nowNanos) {
    if (firstSecond == Long.MIN_VALUE) {
      return 0.0;
    }
    long second = Math.floorDiv(nowNanos, SECOND_NANOS);
    long sum = 0;
    for (int i = 0; i < NUM_BUCKETS; i++) {
      if (second - bucketSecond[i] < NUM_BUCKETS && bucketSecond[i] <= second) {
        sum += counts[i];
      }
    }
    double elapsed = Math.min(NUM_BUCKETS, Math.max(1.0, (nowNanos - firstSecond * SECOND_NANOS) / 1e9));
    return sum / elapsed;
  }
}
