package dev.robin.accounts.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.accounts.store.DailyUsage;
import dev.robin.accounts.store.StoreException;
import dev.robin.accounts.store.StoreSettings;
import dev.robin.accounts.store.UsageEvent;
import dev.robin.accounts.store.UsageStore;
import dev.robin.accounts.store.embedded.EmbeddedStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorder over the real embedded store, with a store wrapper that records batch sizes and can fail writes. */
class UsageRecorderTest {

  private static final Instant AT = Instant.parse("2026-11-26T01:00:00Z");
  private static final LocalDate DAY = LocalDate.of(2026, 11, 26);

  @TempDir
  Path dataDir;

  private EmbeddedStores stores;
  private ObservedUsageStore store;
  private ActorTestKit testKit;

  @BeforeEach
  void open() {
    stores = EmbeddedStores.open(new StoreSettings.Embedded(dataDir, 2));
    store = new ObservedUsageStore(stores.usage());
    testKit = ActorTestKit.create();
  }

  @AfterEach
  void close() {
    testKit.shutdownTestKit();
    stores.close();
  }

  private static UsageEvent event(int i) {
    return new UsageEvent("req-" + i, "key_a", AT, 10, i);
  }

  private List<DailyUsage> usage() throws Exception {
    return stores.usage().usage("key_a").toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void writesFullBatchesAtOnceAndTheRestOnFlush() throws Exception {
    ActorRef<UsageRecorder.Command> recorder = testKit.spawn(UsageRecorder.create(store,
        new UsageSettings(4, Duration.ofHours(1), 100, Duration.ofSeconds(5))));
    for (int i = 0; i < 10; i++) {
      recorder.tell(new UsageRecorder.Record(event(i)));
    }
    UsageRecorder.Flushed flushed = UsageRecorder.flush(testKit.system(), recorder, Duration.ofSeconds(10))
        .get(10, TimeUnit.SECONDS);
    assertEquals(10, flushed.numWritten());
    assertTrue(store.batchSizes.stream().allMatch(size -> size <= 4), "batches: " + store.batchSizes);
    assertEquals(List.of(new DailyUsage(DAY, 10, 100, 45)), usage());
  }

  @Test
  void writesOnTheFlushIntervalWithoutBeingAsked() throws Exception {
    ActorRef<UsageRecorder.Command> recorder = testKit.spawn(UsageRecorder.create(store,
        new UsageSettings(100, Duration.ofMillis(50), 1000, Duration.ofSeconds(5))));
    recorder.tell(new UsageRecorder.Record(event(1)));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(List.of(new DailyUsage(DAY, 1, 10, 1)), usage());
      return null;
    });
  }

  @Test
  void failedWritesAreRetriedAndCountedOnce() throws Exception {
    store.failuresLeft.set(2);
    store.failAfterWriting = true; // the worst case: stored, but the caller hears of a failure
    ActorRef<UsageRecorder.Command> recorder = testKit.spawn(UsageRecorder.create(store,
        new UsageSettings(5, Duration.ofMillis(50), 1000, Duration.ofSeconds(5))));
    for (int i = 0; i < 5; i++) {
      recorder.tell(new UsageRecorder.Record(event(i)));
    }
    UsageRecorder.Flushed flushed = UsageRecorder.flush(testKit.system(), recorder, Duration.ofSeconds(10))
        .get(10, TimeUnit.SECONDS);
    assertEquals(5, flushed.numWritten());
    assertEquals(3, store.batchSizes.size(), "two failed attempts, then success");
    assertEquals(List.of(new DailyUsage(DAY, 5, 50, 10)), usage());
  }

  @Test
  void aFullBufferDropsAndCountsInsteadOfGrowing() throws Exception {
    store.failuresLeft.set(Integer.MAX_VALUE);
    ActorRef<UsageRecorder.Command> recorder = testKit.spawn(UsageRecorder.create(store,
        new UsageSettings(2, Duration.ofHours(1), 4, Duration.ofSeconds(5))));
    for (int i = 0; i < 10; i++) {
      recorder.tell(new UsageRecorder.Record(event(i)));
    }
    store.failuresLeft.set(0);
    UsageRecorder.Flushed flushed = UsageRecorder.flush(testKit.system(), recorder, Duration.ofSeconds(10))
        .get(10, TimeUnit.SECONDS);
    assertEquals(flushed.numWritten() + flushed.numDropped(), 10);
    assertTrue(flushed.numDropped() >= 4, "at most 4 buffered plus one batch in flight: " + flushed);
  }

  @Test
  void gracefulShutdownFlushes() throws Exception {
    ActorTestKit own = ActorTestKit.create("UsageShutdown");
    ActorRef<UsageRecorder.Command> recorder = UsageRecorder.spawn(own.system(), store,
        new UsageSettings(1000, Duration.ofHours(1), 10_000, Duration.ofSeconds(10)));
    for (int i = 0; i < 7; i++) {
      recorder.tell(new UsageRecorder.Record(event(i)));
    }
    own.shutdownTestKit(); // terminates the system, which runs coordinated shutdown
    assertEquals(List.of(new DailyUsage(DAY, 7, 70, 21)), usage());
  }

  /** Wraps the real store: records batch sizes and fails a number of writes (before or after writing). */
  private static final class ObservedUsageStore implements UsageStore {
    private final UsageStore delegate;
    final List<Integer> batchSizes = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile boolean failAfterWriting;

    ObservedUsageStore(UsageStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletionStage<Void> record(List<UsageEvent> events) {
      batchSizes.add(events.size());
      boolean fail = failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
      if (fail && !failAfterWriting) {
        return CompletableFuture.failedFuture(new StoreException("store down (test)"));
      }
      CompletionStage<Void> write = delegate.record(events);
      return fail ? write.thenCompose(ok -> CompletableFuture.failedFuture(new StoreException("timeout (test)")))
          : write;
    }

    @Override
    public CompletionStage<List<DailyUsage>> usage(String keyId) {
      return delegate.usage(keyId);
    }
  }
}
