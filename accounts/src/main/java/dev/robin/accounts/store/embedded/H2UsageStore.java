package dev.robin.accounts.store.embedded;

import dev.robin.accounts.store.DailyUsage;
import dev.robin.accounts.store.UsageEvent;
import dev.robin.accounts.store.UsageStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage in the embedded H2 database. Each request is first one row of {@code usage_events}, keyed by (key, request
 * id) so a retried batch overwrites instead of adding. Rows written more than the retention ago are rolled up
 * into per-day sums in {@code usage_daily} and deleted, in one transaction, at most once an
 * {@link #ROLL_UP_INTERVAL} after a write; reads add both tables per day, so the figures do not change.
 *
 * <p>Idempotency therefore holds for a retry within the retention of the first write (retries come seconds or
 * minutes later): a batch replayed after its rows were rolled up is counted twice.
 */
final class H2UsageStore implements UsageStore {

  /** How often, at most, a write is followed by a roll-up. */
  static final Duration ROLL_UP_INTERVAL = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(H2UsageStore.class);

  private final JdbcRunner runner;
  private final Duration retention;
  private final Clock clock;
  /** When the last roll-up started; null before the first. */
  private final AtomicReference<Instant> lastRollUp = new AtomicReference<>();

  H2UsageStore(JdbcRunner runner, Duration retention, Clock clock) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("usage event retention must be positive, got " + retention);
    }
    this.runner = runner;
    this.retention = retention;
    this.clock = clock;
  }

  static void createTables(Statement statement) throws SQLException {
    statement.execute("""
        CREATE TABLE IF NOT EXISTS usage_events (
          key_id VARCHAR(64) NOT NULL,
          request_id VARCHAR(256) NOT NULL,
          usage_day DATE NOT NULL,
          prompt_tokens BIGINT NOT NULL,
          completion_tokens BIGINT NOT NULL,
          PRIMARY KEY (key_id, request_id))""");
    // Databases from before the roll-up lack the column: their rows count as written now.
    statement.execute("ALTER TABLE usage_events ADD COLUMN IF NOT EXISTS recorded_at TIMESTAMP WITH TIME ZONE "
        + "DEFAULT CURRENT_TIMESTAMP NOT NULL");
    statement.execute("CREATE INDEX IF NOT EXISTS usage_events_by_day ON usage_events (key_id, usage_day)");
    statement.execute("CREATE INDEX IF NOT EXISTS usage_events_by_age ON usage_events (recorded_at)");
    statement.execute("""
        CREATE TABLE IF NOT EXISTS usage_daily (
          key_id VARCHAR(64) NOT NULL,
          usage_day DATE NOT NULL,
          requests BIGINT NOT NULL,
          prompt_tokens BIGINT NOT NULL,
          completion_tokens BIGINT NOT NULL,
          PRIMARY KEY (key_id, usage_day))""");
  }

  /** Completes once the events are durable and, when one was due, the roll-up that followed has ended. */
  @Override
  public CompletionStage<Void> record(List<UsageEvent> events) {
    if (events.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<UsageEvent> batch = List.copyOf(events);
    CompletionStage<Void> written = runner.transact("record " + batch.size() + " usage events", connection -> {
      OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
      try (PreparedStatement merge = connection.prepareStatement(
          "MERGE INTO usage_events (key_id, request_id, usage_day, prompt_tokens, completion_tokens, recorded_at) "
              + "KEY (key_id, request_id) VALUES (?, ?, ?, ?, ?, ?)")) {
        for (UsageEvent event : batch) {
          merge.setString(1, event.keyId());
          merge.setString(2, event.requestId());
          merge.setObject(3, event.day());
          merge.setLong(4, event.promptTokens());
          merge.setLong(5, event.completionTokens());
          merge.setObject(6, now);
          merge.addBatch();
        }
        merge.executeBatch();
      }
      Durability.checkpoint(connection);
      return null;
    });
    // The events are stored whatever the roll-up does: its failure is logged, never the write's.
    return written.thenCompose(stored -> rollUpIfDue().handle((rolledUp, failure) -> {
      if (failure != null) {
        log.warn("Usage roll-up failed; the events stay as they are and it is tried again in {}: {}",
            ROLL_UP_INTERVAL, failure.getMessage());
      }
      return null;
    }));
  }

  /**
   * Rolls up the events written more than the retention ago, unless a roll-up started within the last
   * {@link #ROLL_UP_INTERVAL}; completes with whether one ran.
   */
  CompletionStage<Boolean> rollUpIfDue() {
    Instant now = clock.instant();
    Instant last = lastRollUp.get();
    boolean due = last == null || !now.isBefore(last.plus(ROLL_UP_INTERVAL));
    if (!due || !lastRollUp.compareAndSet(last, now)) {
      return CompletableFuture.completedFuture(false);
    }
    Instant cutoff = now.minus(retention);
    return runner.transact("roll up usage events written before " + cutoff, connection -> {
      int numDays = rollUp(connection, cutoff);
      if (numDays > 0) {
        log.info("Rolled up usage events written before {} into {} key-days", cutoff, numDays);
      }
      return true;
    });
  }

  /**
   * Deletes the events written before {@code cutoff} and adds them into their key's days, in the caller's
   * transaction. One statement aggregates exactly the rows it deletes, so a write committed concurrently can be
   * neither counted without being deleted nor deleted without being counted.
   */
  private static int rollUp(Connection connection, Instant cutoff) throws SQLException {
    try (PreparedStatement merge = connection.prepareStatement("""
        MERGE INTO usage_daily d USING (
          SELECT key_id, usage_day, COUNT(*) AS requests, SUM(prompt_tokens) AS prompt_tokens,
                 SUM(completion_tokens) AS completion_tokens
          FROM OLD TABLE (DELETE FROM usage_events WHERE recorded_at < ?)
          GROUP BY key_id, usage_day) e
        ON d.key_id = e.key_id AND d.usage_day = e.usage_day
        WHEN MATCHED THEN UPDATE SET requests = d.requests + e.requests,
          prompt_tokens = d.prompt_tokens + e.prompt_tokens,
          completion_tokens = d.completion_tokens + e.completion_tokens
        WHEN NOT MATCHED THEN INSERT (key_id, usage_day, requests, prompt_tokens, completion_tokens)
          VALUES (e.key_id, e.usage_day, e.requests, e.prompt_tokens, e.completion_tokens)""")) {
      merge.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
      return merge.executeUpdate();
    }
  }

  @Override
  public CompletionStage<List<DailyUsage>> usage(String keyId) {
    return runner.transact("read usage of key " + keyId, connection -> {
      // One statement, so a roll-up committing meanwhile is seen wholly or not at all.
      try (PreparedStatement select = connection.prepareStatement("""
          SELECT usage_day, SUM(requests), SUM(prompt_tokens), SUM(completion_tokens) FROM (
            SELECT usage_day, requests, prompt_tokens, completion_tokens FROM usage_daily WHERE key_id = ?
            UNION ALL
            SELECT usage_day, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens) FROM usage_events
              WHERE key_id = ? GROUP BY usage_day)
          GROUP BY usage_day ORDER BY usage_day""")) {
        select.setString(1, keyId);
        select.setString(2, keyId);
        List<DailyUsage> days = new ArrayList<>();
        try (ResultSet row = select.executeQuery()) {
          while (row.next()) {
            days.add(new DailyUsage(row.getObject(1, LocalDate.class), row.getLong(2), row.getLong(3), row.getLong(4)));
          }
        }
        return days;
      }
    });
  }
}
