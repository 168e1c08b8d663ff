package dev.robin.accounts.store;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Durable per-key, per-day usage. Writes are idempotent by request id, so a batch may be retried after a timeout
 * without counting anything twice. Asynchronous like {@link KeyStore}.
 */
public interface UsageStore {

  /**
   * Stores these events. When the stage completes normally every event is durable; when it fails, some may be,
   * and the whole batch may be retried.
   */
  CompletionStage<Void> record(List<UsageEvent> events);

  /** The key's usage per UTC day, oldest day first; empty if it has none. */
  CompletionStage<List<DailyUsage>> usage(String keyId);
}
