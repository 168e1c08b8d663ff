package dev.robin.accounts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.accounts.keys.ApiKeyService;
import dev.robin.accounts.keys.ApiKeys;
import dev.robin.accounts.keys.AuthResult;
import dev.robin.accounts.keys.CreatedKey;
import dev.robin.accounts.keys.KeySettings;
import dev.robin.accounts.usage.UsageRecorder;
import dev.robin.accounts.usage.UsageSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Stores} backend must show, run against each one by a subclass. "Restart" means
 * closing the stores and opening them again on the same data.
 */
abstract class StoreContractTest {

  private static final KeySettings KEYS = new KeySettings(KeySettings.Creation.OPEN, Optional.empty(),
      Duration.ofSeconds(10), 1000);
  private static final Instant DAY1 = Instant.parse("2026-11-24T10:15:30Z");
  private static final Instant DAY2 = Instant.parse("2026-11-25T23:59:59Z");

  private static ActorTestKit testKit;
  private Stores stores;
  /** Each test uses fresh key ids, so tests never see each other's data in a shared database. */
  private final String keyA = "key_" + UUID.randomUUID().toString().replace("-", "");
  private final String keyB = "key_" + UUID.randomUUID().toString().replace("-", "");

  /** Opens the backend on the same data every time it is called within one test class. */
  protected abstract Stores openStores();

  @BeforeAll
  static void startActors() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stopActors() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void open() {
    stores = openStores();
  }

  @AfterEach
  void close() {
    stores.close();
  }

  private void restart() {
    stores.close();
    stores = openStores();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void keysCreatedUsedAndRevokedSurviveARestart() throws Exception {
    ApiKeyService service = new ApiKeyService(stores.keys(), KEYS);
    CreatedKey kept = await(service.create(Optional.of("kept")));
    CreatedKey revoked = await(service.create(Optional.empty()));
    assertTrue(kept.key().startsWith(ApiKeys.PREFIX));
    assertEquals(new AuthResult.Authenticated(kept.id()), await(service.authenticate(kept.key())));
    assertTrue(await(service.revoke(revoked.id())));
    assertEquals(new AuthResult.Revoked(revoked.id()), await(service.authenticate(revoked.key())));

    restart();
    ApiKeyService afterRestart = new ApiKeyService(stores.keys(), KEYS);
    assertEquals(new AuthResult.Authenticated(kept.id()), await(afterRestart.authenticate(kept.key())));
    assertEquals(new AuthResult.Revoked(revoked.id()), await(afterRestart.authenticate(revoked.key())));
    assertInstanceOf(AuthResult.Invalid.class,
        await(afterRestart.authenticate(kept.key().substring(0, kept.key().length() - 1) + "x")));

    ApiKeyRecord stored = await(stores.keys().findById(kept.id())).orElseThrow();
    assertEquals("kept", stored.name());
    assertEquals(kept.created(), stored.created());
    assertEquals(kept.key().substring(0, 8), stored.displayPrefix());
    assertEquals(ApiKeys.hash(kept.key()), stored.keyHash());
    assertFalse(stored.revoked());
    assertFalse(stored.keyHash().contains(kept.key()), "the plaintext key must never be stored");
  }

  @Test
  void revokingAnUnknownKeyFindsNothing() throws Exception {
    assertEquals(Optional.empty(), await(stores.keys().revoke("key_does_not_exist")));
    assertEquals(Optional.empty(), await(stores.keys().findByHash(ApiKeys.hash("rk-nobody-has-this-key-0000"))));
  }

  @Test
  void usageFiguresEqualWhatWasRecorded() throws Exception {
    await(stores.usage().record(List.of(
        event("r1", keyA, DAY1, 10, 5),
        event("r2", keyA, DAY1, 7, 0),
        event("r3", keyA, DAY2, 3, 30),
        event("r4", keyB, DAY1, 100, 200))));

    assertEquals(List.of(
            new DailyUsage(LocalDate.of(2026, 11, 24), 2, 17, 5),
            new DailyUsage(LocalDate.of(2026, 11, 25), 1, 3, 30)),
        await(stores.usage().usage(keyA)));
    assertEquals(List.of(new DailyUsage(LocalDate.of(2026, 11, 24), 1, 100, 200)), await(stores.usage().usage(keyB)));
    assertEquals(List.of(), await(stores.usage().usage("key_without_usage")));
  }

  @Test
  void retriedWritesAreNotCountedTwice() throws Exception {
    List<UsageEvent> batch = List.of(event("r1", keyA, DAY1, 10, 5), event("r2", keyA, DAY1, 1, 1));
    await(stores.usage().record(batch));
    await(stores.usage().record(batch));
    await(stores.usage().record(List.of(event("r2", keyA, DAY1, 1, 1), event("r3", keyA, DAY1, 2, 2))));

    assertEquals(List.of(new DailyUsage(LocalDate.of(2026, 11, 24), 3, 13, 8)), await(stores.usage().usage(keyA)));
  }

  @Test
  void aRestartMidwayLosesNothingAcknowledgedAsFlushed() throws Exception {
    ActorRef<UsageRecorder.Command> recorder = testKit.spawn(UsageRecorder.create(stores.usage(),
        new UsageSettings(3, Duration.ofMinutes(10), 1000, Duration.ofSeconds(10))));
    List<UsageEvent> expected = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      UsageEvent event = event("first-" + i, keyA, DAY1, i, 2L * i);
      expected.add(event);
      recorder.tell(new UsageRecorder.Record(event));
    }
    UsageRecorder.Flushed flushed = await(UsageRecorder.flush(testKit.system(), recorder, Duration.ofSeconds(20)));
    assertEquals(7, flushed.numWritten());
    testKit.stop(recorder);

    restart();
    ActorRef<UsageRecorder.Command> second = testKit.spawn(UsageRecorder.create(stores.usage(),
        new UsageSettings(3, Duration.ofMinutes(10), 1000, Duration.ofSeconds(10))));
    for (int i = 0; i < 2; i++) {
      second.tell(new UsageRecorder.Record(event("second-" + i, keyA, DAY2, 1, 1)));
    }
    // A retry after the restart of something already stored must not count again.
    second.tell(new UsageRecorder.Record(expected.get(0)));
    await(UsageRecorder.flush(testKit.system(), second, Duration.ofSeconds(20)));
    testKit.stop(second);

    restart();
    long prompt = expected.stream().mapToLong(UsageEvent::promptTokens).sum();
    long completion = expected.stream().mapToLong(UsageEvent::completionTokens).sum();
    assertEquals(List.of(
            new DailyUsage(LocalDate.of(2026, 11, 24), 7, prompt, completion),
            new DailyUsage(LocalDate.of(2026, 11, 25), 2, 2, 2)),
        await(stores.usage().usage(keyA)));
  }

  private static UsageEvent event(String requestId, String keyId, Instant at, long prompt, long completion) {
    return new UsageEvent(requestId, keyId, at, prompt, completion);
  }
}
