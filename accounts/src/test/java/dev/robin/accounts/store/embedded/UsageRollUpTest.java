package dev.robin.accounts.store.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.accounts.store.DailyUsage;
import dev.robin.accounts.store.StoreSettings;
import dev.robin.accounts.store.UsageEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.h2.api.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded usage store's roll-up of old per-request rows into daily sums, driven by a hand-set clock: the
 * figures never change, only recent rows stay raw, retries stay idempotent, a failed roll-up changes nothing.
 */
class UsageRollUpTest {

  private static final Duration RETENTION = Duration.ofDays(7);
  private static final Instant T0 = Instant.parse("2026-11-01T12:00:00Z");
  private static final Instant OCT30 = Instant.parse("2026-10-30T08:00:00Z");
  private static final Instant OCT31 = Instant.parse("2026-10-31T23:30:00Z");
  private static final Instant NOV1 = Instant.parse("2026-11-01T11:00:00Z");
  private static final Instant NOV4 = Instant.parse("2026-11-04T09:00:00Z");

  @TempDir
  Path dataDir;

  private final SettableClock clock = new SettableClock(T0);
  private EmbeddedStores stores;
  private H2UsageStore usage;
  private Connection sql;

  @BeforeEach
  void open() throws SQLException {
    Path directory = dataDir.resolve("robin-store");
    stores = EmbeddedStores.open(new StoreSettings.Embedded(directory, 2, RETENTION), clock);
    usage = (H2UsageStore) stores.usage();
    // A second connection to the same in-process database, to look at the tables and plant failures.
    sql = DriverManager.getConnection("jdbc:h2:file:" + directory.toAbsolutePath().normalize().resolve("robin")
        + ";DB_CLOSE_ON_EXIT=FALSE", "robin", "");
  }

  @AfterEach
  void close() throws SQLException {
    sql.close();
    stores.close();
  }

  @Test
  void oldRowsMoveIntoDailySumsAndTheFiguresStayTheSame() throws Exception {
    List<UsageEvent> old = List.of(
        event("a1", "keyA", OCT30, 10, 1), event("a2", "keyA", OCT31, 20, 2), event("a3", "keyA", OCT31, 30, 3),
        event("a4", "keyA", NOV1, 40, 4), event("b1", "keyB", OCT31, 100, 10));
    await(usage.record(old));
    clock.set(T0.plus(Duration.ofDays(3)));
    // Recent: a new day, and a late event for a day whose other events are about to be rolled up.
    await(usage.record(List.of(event("a5", "keyA", NOV4, 50, 5), event("a6", "keyA", OCT31, 60, 6),
        event("b2", "keyB", NOV4, 200, 20))));
    List<DailyUsage> beforeA = await(usage.usage("keyA"));
    List<DailyUsage> beforeB = await(usage.usage("keyB"));
    assertEquals(List.of(day("2026-10-30", 1, 10, 1), day("2026-10-31", 3, 110, 11), day("2026-11-01", 1, 40, 4),
        day("2026-11-04", 1, 50, 5)), beforeA);

    clock.set(T0.plus(Duration.ofDays(8)));
    assertTrue(await(usage.rollUpIfDue()));

    assertEquals(beforeA, await(usage.usage("keyA")));
    assertEquals(beforeB, await(usage.usage("keyB")));
    assertEquals(List.of("keyA/a5", "keyA/a6", "keyB/b2"), rawRequests());
    assertEquals(List.of("keyA 2026-10-30 1 10 1", "keyA 2026-10-31 2 50 5", "keyA 2026-11-01 1 40 4",
        "keyB 2026-10-31 1 100 10"), dailyRows());

    // The rest goes too once old enough, and adds into the day already rolled up.
    clock.set(T0.plus(Duration.ofDays(11)));
    assertTrue(await(usage.rollUpIfDue()));
    assertEquals(beforeA, await(usage.usage("keyA")));
    assertEquals(beforeB, await(usage.usage("keyB")));
    assertEquals(List.of(), rawRequests());
    assertEquals(List.of("keyA 2026-10-30 1 10 1", "keyA 2026-10-31 3 110 11", "keyA 2026-11-01 1 40 4",
        "keyA 2026-11-04 1 50 5", "keyB 2026-10-31 1 100 10", "keyB 2026-11-04 1 200 20"), dailyRows());
  }

  @Test
  void aRetryWithinTheRetentionIsNotCountedTwiceAfterOtherDaysWereRolledUp() throws Exception {
    await(usage.record(List.of(event("old", "keyA", OCT30, 1, 1))));
    clock.set(T0.plus(Duration.ofDays(7)));
    List<UsageEvent> recent = List.of(event("r1", "keyA", NOV1, 10, 5), event("r2", "keyA", NOV4, 7, 3));
    await(usage.record(recent));
    clock.set(T0.plus(Duration.ofDays(8)));
    assertTrue(await(usage.rollUpIfDue()));
    assertEquals(List.of("keyA/r1", "keyA/r2"), rawRequests());

    await(usage.record(recent));
    await(usage.record(List.of(recent.get(1), event("r3", "keyA", NOV4, 1, 1))));

    assertEquals(List.of(day("2026-10-30", 1, 1, 1), day("2026-11-01", 1, 10, 5), day("2026-11-04", 2, 8, 4)),
        await(usage.usage("keyA")));
  }

  @Test
  void aRollUpThatFailsMidwayChangesNothingAndAWriteStillSucceeds() throws Exception {
    await(usage.record(List.of(event("a1", "keyA", OCT30, 10, 1), event("a2", "keyA", OCT31, 20, 2))));
    List<DailyUsage> before = await(usage.usage("keyA"));
    try (Statement statement = sql.createStatement()) {
      // Fails inside the roll-up's transaction, after the old rows were deleted and while their sums are written.
      statement.execute("CREATE TRIGGER fail_roll_up AFTER INSERT ON usage_daily FOR EACH ROW CALL \""
          + FailingTrigger.class.getName() + "\"");
    }

    clock.set(T0.plus(Duration.ofDays(8)));
    ExecutionException failure = assertThrows(ExecutionException.class, () -> await(usage.rollUpIfDue()));
    assertTrue(failure.getCause().getMessage().contains("injected roll-up failure"), failure.getCause().getMessage());
    assertEquals(before, await(usage.usage("keyA")));
    assertEquals(List.of("keyA/a1", "keyA/a2"), rawRequests());
    assertEquals(List.of(), dailyRows());

    // A write whose piggy-backed roll-up fails is still stored and acknowledged.
    clock.set(T0.plus(Duration.ofDays(8)).plus(H2UsageStore.ROLL_UP_INTERVAL));
    await(usage.record(List.of(event("a3", "keyA", NOV4, 5, 5))));
    assertEquals(List.of("keyA/a1", "keyA/a2", "keyA/a3"), rawRequests());

    try (Statement statement = sql.createStatement()) {
      statement.execute("DROP TRIGGER fail_roll_up");
    }
    clock.set(T0.plus(Duration.ofDays(8)).plus(H2UsageStore.ROLL_UP_INTERVAL.multipliedBy(2)));
    assertTrue(await(usage.rollUpIfDue()));
    assertEquals(List.of("keyA/a3"), rawRequests());
    assertEquals(List.of(day("2026-10-30", 1, 10, 1), day("2026-10-31", 1, 20, 2), day("2026-11-04", 1, 5, 5)),
        await(usage.usage("keyA")));
  }

  @Test
  void aRollUpRunsAtMostOncePerInterval() throws Exception {
    assertTrue(await(usage.rollUpIfDue()));
    assertFalse(await(usage.rollUpIfDue()));
    clock.set(T0.plus(H2UsageStore.ROLL_UP_INTERVAL).minusSeconds(1));
    assertFalse(await(usage.rollUpIfDue()));
    clock.set(T0.plus(H2UsageStore.ROLL_UP_INTERVAL));
    assertTrue(await(usage.rollUpIfDue()));
    assertFalse(await(usage.rollUpIfDue()));
  }

  @Test
  void aWriteRollsUpWhenOneIsDueButNotAgainWithinTheInterval() throws Exception {
    await(usage.record(List.of(event("a1", "keyA", OCT30, 10, 1))));
    clock.set(T0.plus(Duration.ofMinutes(10)));
    await(usage.record(List.of(event("a2", "keyA", OCT31, 20, 2))));
    Instant rolledUpAt = T0.plus(RETENTION).plusSeconds(1);
    clock.set(rolledUpAt);
    await(usage.record(List.of(event("a3", "keyA", NOV1, 30, 3))));
    assertEquals(List.of("keyA/a2", "keyA/a3"), rawRequests(), "a1 is past the retention, a2 not yet");

    // a2 is past the retention 10 minutes later, but the last roll-up was less than an interval ago.
    clock.set(rolledUpAt.plus(Duration.ofMinutes(20)));
    await(usage.record(List.of(event("a4", "keyA", NOV4, 40, 4))));
    assertEquals(List.of("keyA/a2", "keyA/a3", "keyA/a4"), rawRequests());

    clock.set(rolledUpAt.plus(H2UsageStore.ROLL_UP_INTERVAL));
    await(usage.record(List.of(event("a5", "keyA", NOV4, 50, 5))));
    assertEquals(List.of("keyA/a3", "keyA/a4", "keyA/a5"), rawRequests());
    assertEquals(List.of(day("2026-10-30", 1, 10, 1), day("2026-10-31", 1, 20, 2), day("2026-11-01", 1, 30, 3),
        day("2026-11-04", 2, 90, 9)), await(usage.usage("keyA")));
  }

  @Test
  void aDatabaseFromBeforeTheRollUpKeepsItsRowsAsWrittenWhenFirstOpened() throws Exception {
    Path directory = dataDir.resolve("store-from-before");
    String url = "jdbc:h2:file:" + directory.toAbsolutePath().normalize().resolve("robin") + ";DB_CLOSE_ON_EXIT=FALSE";
    try (Connection before = DriverManager.getConnection(url, "robin", "");
        Statement statement = before.createStatement()) {
      statement.execute("CREATE TABLE usage_events (key_id VARCHAR(64) NOT NULL, request_id VARCHAR(256) NOT NULL, "
          + "usage_day DATE NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, "
          + "PRIMARY KEY (key_id, request_id))");
      statement.execute("INSERT INTO usage_events VALUES ('keyA', 'a1', DATE '2026-10-30', 10, 1), "
          + "('keyA', 'a2', DATE '2026-10-30', 20, 2)");
      statement.execute("SHUTDOWN");
    }
    Instant opened = Instant.now();
    clock.set(opened);
    try (EmbeddedStores upgraded = EmbeddedStores.open(new StoreSettings.Embedded(directory, 1, RETENTION), clock)) {
      H2UsageStore upgradedUsage = (H2UsageStore) upgraded.usage();
      List<DailyUsage> expected = List.of(day("2026-10-30", 2, 30, 3));
      assertEquals(expected, await(upgradedUsage.usage("keyA")));
      assertTrue(await(upgradedUsage.rollUpIfDue()));
      assertEquals(expected, await(upgradedUsage.usage("keyA")), "old rows are dated when the column was added");

      clock.set(opened.plus(RETENTION).plus(Duration.ofMinutes(1)));
      await(upgradedUsage.record(List.of(event("a3", "keyA", NOV4, 5, 5))));
      assertEquals(List.of(day("2026-10-30", 2, 30, 3), day("2026-11-04", 1, 5, 5)),
          await(upgradedUsage.usage("keyA")));
    }
    try (EmbeddedStores reopened = EmbeddedStores.open(new StoreSettings.Embedded(directory, 1, RETENTION), clock);
        Connection after = DriverManager.getConnection(url, "robin", "");
        Statement statement = after.createStatement();
        ResultSet counts = statement.executeQuery(
            "SELECT (SELECT COUNT(*) FROM usage_events), (SELECT COUNT(*) FROM usage_daily)")) {
      assertTrue(counts.next());
      assertEquals(1, counts.getLong(1), "only the recent row stays raw");
      assertEquals(1, counts.getLong(2), "the two old rows are one daily sum");
      assertEquals(List.of(day("2026-10-30", 2, 30, 3), day("2026-11-04", 1, 5, 5)),
          await(reopened.usage().usage("keyA")), "the figures survive a restart after a roll-up");
    }
  }

  /** Request ids left in usage_events, as key/request, sorted. */
  private List<String> rawRequests() throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = sql.createStatement();
        ResultSet row = statement.executeQuery(
            "SELECT key_id, request_id FROM usage_events ORDER BY key_id, request_id")) {
      while (row.next()) {
        rows.add(row.getString(1) + "/" + row.getString(2));
      }
    }
    return rows;
  }

  /** usage_daily as "key day requests prompt completion", sorted. */
  private List<String> dailyRows() throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = sql.createStatement();
        ResultSet row = statement.executeQuery("SELECT key_id, usage_day, requests, prompt_tokens, "
            + "completion_tokens FROM usage_daily ORDER BY key_id, usage_day")) {
      while (row.next()) {
        rows.add(row.getString(1) + " " + row.getObject(2) + " " + row.getLong(3) + " " + row.getLong(4) + " "
            + row.getLong(5));
      }
    }
    return rows;
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static UsageEvent event(String requestId, String keyId, Instant at, long prompt, long completion) {
    return new UsageEvent(requestId, keyId, at, prompt, completion);
  }

  private static DailyUsage day(String date, long requests, long prompt, long completion) {
    return new DailyUsage(java.time.LocalDate.parse(date), requests, prompt, completion);
  }

  /** Throws on every row it fires for: plants a failure inside a transaction. */
  public static final class FailingTrigger implements Trigger {
    @Override
    public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
      throw new SQLException("injected roll-up failure");
    }
  }

  /** A clock the test moves by hand. */
  private static final class SettableClock extends Clock {
    private volatile Instant now;

    SettableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
