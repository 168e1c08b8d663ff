package dev.robin.cluster.store.embedded;

import dev.robin.cluster.store.DailyUsage;
import dev.robin.cluster.store.UsageEvent;
import dev.robin.cluster.store.UsageStore;
import java.time.LocalDate;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Usage in the embedded H2 database: one row per request, keyed by (key, request id) so a retried batch overwrites
 * instead of adding; per-day figures are aggregated on read.
 */
final class H2UsageStore implements UsageStore {

  private final JdbcRunner runner;

  H2UsageStore(JdbcRunner runner) {
    this.runner = runner;
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
    statement.execute("CREATE INDEX IF NOT EXISTS usage_events_by_day ON usage_events (key_id, usage_day)");
  }

  @Override
  public CompletionStage<Void> record(List<UsageEvent> events) {
    if (events.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<UsageEvent> batch = List.copyOf(events);
    return runner.transact("record " + batch.size() + " usage events", connection -> {
      try (PreparedStatement merge = connection.prepareStatement(
          "MERGE INTO usage_events (key_id, request_id, usage_day, prompt_tokens, completion_tokens) "
              + "KEY (key_id, request_id) VALUES (?, ?, ?, ?, ?)")) {
        for (UsageEvent event : batch) {
          merge.setString(1, event.keyId());
          merge.setString(2, event.requestId());
          merge.setObject(3, event.day());
          merge.setLong(4, event.promptTokens());
          merge.setLong(5, event.completionTokens());
          merge.addBatch();
        }
        merge.executeBatch();
      }
      Durability.checkpoint(connection);
      return null;
    });
  }

  @Override
  public CompletionStage<List<DailyUsage>> usage(String keyId) {
    return runner.transact("read usage of key " + keyId, connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT usage_day, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens) FROM usage_events "
              + "WHERE key_id = ? GROUP BY usage_day ORDER BY usage_day")) {
        select.setString(1, keyId);
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
