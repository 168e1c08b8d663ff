package dev.robin.accounts.usage;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code robin.store.usage} block.
 *
 * @param batchSize most events written in one store call
 * @param flushInterval longest an event waits in memory before it is written
 * @param maxBuffered most events held in memory while the store is slow or down; beyond it new events are dropped
 *     (and counted) rather than exhausting memory
 * @param shutdownTimeout how long graceful shutdown waits for the final flush
 */
public record UsageSettings(int batchSize, Duration flushInterval, int maxBuffered, Duration shutdownTimeout) {

  public UsageSettings {
    if (batchSize < 1) {
      throw new IllegalArgumentException("robin.store.usage.batch-size must be >= 1, got " + batchSize);
    }
    if (maxBuffered < batchSize) {
      throw new IllegalArgumentException("robin.store.usage.max-buffered (" + maxBuffered
          + ") must be >= batch-size (" + batchSize + ")");
    }
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("robin.store.usage.flush-interval must be positive, got " + flushInterval);
    }
  }

  /** Reads {@code robin.store.usage}. */
  public static UsageSettings fromConfig(Config usage) {
    return new UsageSettings(usage.getInt("batch-size"), usage.getDuration("flush-interval"),
        usage.getInt("max-buffered"), usage.getDuration("shutdown-timeout"));
  }
}
