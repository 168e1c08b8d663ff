package dev.robin.accounts.store.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import dev.robin.accounts.store.DailyUsage;
import dev.robin.accounts.store.StoreException;
import dev.robin.accounts.store.UsageEvent;
import dev.robin.accounts.store.UsageStore;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Usage as one row per request (an idempotent upsert keyed by request id), partitioned by key and day, plus an
 * index of the days a key has usage. Reads aggregate each day's partition.
 */
final class CassandraUsageStore implements UsageStore {

  /** Writes in flight at once for one batch: enough to hide latency without flooding the node. */
  private static final int MAX_CONCURRENT_WRITES = 64;

  private final CqlSession session;
  private final ConsistencyLevel consistency;
  private final PreparedStatement insertEvent;
  private final PreparedStatement insertDay;
  private final PreparedStatement selectDays;
  private final PreparedStatement aggregateDay;

  CassandraUsageStore(CqlSession session, String keyspace, ConsistencyLevel consistency) {
    this.session = session;
    this.consistency = consistency;
    insertEvent = session.prepare("INSERT INTO " + keyspace + ".usage_events "
        + "(key_id, day, request_id, prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?, ?)");
    insertDay = session.prepare("INSERT INTO " + keyspace + ".usage_days (key_id, day) VALUES (?, ?)");
    selectDays = session.prepare("SELECT day FROM " + keyspace + ".usage_days WHERE key_id = ?");
    aggregateDay = session.prepare("SELECT count(*) AS num_requests, sum(prompt_tokens) AS prompt, "
        + "sum(completion_tokens) AS completion FROM " + keyspace + ".usage_events WHERE key_id = ? AND day = ?");
  }

  @Override
  public CompletionStage<Void> record(List<UsageEvent> events) {
    List<Statement<?>> writes = new ArrayList<>();
    Set<List<Object>> days = new LinkedHashSet<>();
    for (UsageEvent event : events) {
      writes.add(insertEvent.bind(event.keyId(), event.day(), event.requestId(), event.promptTokens(),
          event.completionTokens()));
      days.add(List.of(event.keyId(), event.day()));
    }
    for (List<Object> day : days) {
      writes.add(insertDay.bind(day.get(0), day.get(1)));
    }
    return writeInWaves(writes, 0);
  }

  /** Runs writes {@code MAX_CONCURRENT_WRITES} at a time; any failure fails the whole (retryable) batch. */
  private CompletionStage<Void> writeInWaves(List<Statement<?>> writes, int from) {
    if (from >= writes.size()) {
      return CompletableFuture.completedFuture(null);
    }
    int to = Math.min(writes.size(), from + MAX_CONCURRENT_WRITES);
    CompletableFuture<?>[] wave = new CompletableFuture<?>[to - from];
    for (int i = from; i < to; i++) {
      wave[i - from] = run(writes.get(i), "record usage").toCompletableFuture();
    }
    return CompletableFuture.allOf(wave).thenCompose(done -> writeInWaves(writes, to));
  }

  @Override
  public CompletionStage<List<DailyUsage>> usage(String keyId) {
    return allRows(run(selectDays.bind(keyId), "read usage days of key " + keyId), new ArrayList<>())
        .thenCompose(rows -> {
          List<CompletableFuture<DailyUsage>> perDay = new ArrayList<>();
          for (Row row : rows) {
            LocalDate day = row.getLocalDate("day");
            perDay.add(run(aggregateDay.bind(keyId, day), "read usage of key " + keyId)
                .thenApply(result -> toDailyUsage(day, result.one()))
                .toCompletableFuture());
          }
          return CompletableFuture.allOf(perDay.toArray(CompletableFuture[]::new))
              .thenApply(done -> perDay.stream().map(CompletableFuture::join).toList());
        });
  }

  private static DailyUsage toDailyUsage(LocalDate day, Row row) {
    if (row == null) {
      return new DailyUsage(day, 0, 0, 0);
    }
    return new DailyUsage(day, row.getLong("num_requests"), row.getLong("prompt"), row.getLong("completion"));
  }

  private static CompletionStage<List<Row>> allRows(CompletionStage<AsyncResultSet> page, List<Row> into) {
    return page.thenCompose(rows -> {
      rows.currentPage().forEach(into::add);
      if (rows.hasMorePages()) {
        return allRows(rows.fetchNextPage(), into);
      }
      return CompletableFuture.completedFuture(into);
    });
  }

  private CompletionStage<AsyncResultSet> run(Statement<?> statement, String what) {
    return session.executeAsync(statement.setConsistencyLevel(consistency))
        .exceptionally(failure -> {
          throw new StoreException("Cassandra store failed to " + what + ": " + failure.getMessage(), failure);
        });
  }
}
