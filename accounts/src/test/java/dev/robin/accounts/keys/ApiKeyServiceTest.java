package dev.robin.accounts.keys;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.accounts.store.ApiKeyRecord;
import dev.robin.accounts.store.KeyStore;
import dev.robin.accounts.store.StoreException;
import dev.robin.accounts.store.StoreSettings;
import dev.robin.accounts.store.embedded.EmbeddedStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key service over the real embedded store, with a manual clock for the cache and a store that counts reads. */
class ApiKeyServiceTest {

  private static final Duration TTL = Duration.ofSeconds(10);

  @TempDir
  Path dataDir;

  private EmbeddedStores stores;
  private CountingKeyStore store;
  private final long[] nanos = {0};
  private final LongSupplier clock = () -> nanos[0];

  @BeforeEach
  void open() {
    stores = EmbeddedStores.open(new StoreSettings.Embedded(dataDir, 2));
    store = new CountingKeyStore(stores.keys());
  }

  @AfterEach
  void close() {
    stores.close();
  }

  private ApiKeyService service(KeySettings.Creation creation, Optional<String> adminToken) {
    return new ApiKeyService(store, new KeySettings(creation, adminToken, TTL, 1000),
        InstantSource.fixed(Instant.parse("2026-11-26T01:00:00.123456Z")), clock);
  }

  private ApiKeyService service() {
    return service(KeySettings.Creation.OPEN, Optional.empty());
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void advance(Duration duration) {
    nanos[0] += duration.toNanos();
  }

  @Test
  void createdKeysAreLongRandomAndStoredOnlyAsAHash() throws Exception {
    ApiKeyService service = service();
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      CreatedKey created = await(service.create(Optional.of("k" + i)));
      assertTrue(created.key().startsWith("rk-"));
      assertEquals(3 + 43, created.key().length(), "256 random bits in URL-safe base64");
      assertTrue(ApiKeys.isWellFormed(created.key()));
      assertTrue(created.id().matches("key_[0-9a-f]{24}"));
      assertFalse(created.toString().contains(created.key()), "toString must not leak the key");
      keys.add(created.key());
      ApiKeyRecord stored = await(stores.keys().findById(created.id())).orElseThrow();
      assertEquals(ApiKeys.hash(created.key()), stored.keyHash());
      assertEquals(64, stored.keyHash().length());
      assertEquals(Instant.parse("2026-11-26T01:00:00.123Z"), stored.created());
    }
    assertEquals(20, keys.size());
  }

  @Test
  void namesAreValidated() throws Exception {
    ApiKeyService service = service();
    assertEquals("", await(service.create(Optional.empty())).name());
    assertEquals("é".repeat(100), await(service.create(Optional.of("é".repeat(100)))).name());
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
        () -> service.create(Optional.of("x".repeat(101))));
    assertTrue(tooLong.getMessage().contains("100"));
    assertThrows(IllegalArgumentException.class, () -> service.create(Optional.of("bad\nname")));
  }

  @Test
  void malformedKeysAreInvalidWithoutTouchingTheStore() throws Exception {
    ApiKeyService service = service();
    for (String junk : new String[] {"", "sk-abc", "rk-", "rk-short", "rk-" + "a".repeat(40) + " ", "rk-ä" + "a".repeat(40)}) {
      assertInstanceOf(AuthResult.Invalid.class, await(service.authenticate(junk)), junk);
    }
    assertInstanceOf(AuthResult.Invalid.class, await(service.authenticate(null)));
    assertEquals(0, store.numReads.get());
  }

  @Test
  void aKnownKeyIsAnsweredFromTheCacheAndRefreshedAhead() throws Exception {
    ApiKeyService creator = service();
    CreatedKey key = await(creator.create(Optional.empty()));
    ApiKeyService node = service();

    assertEquals(new AuthResult.Authenticated(key.id()), await(node.authenticate(key.key())));
    assertEquals(1, store.numReads.get(), "the first lookup reads the store");
    advance(Duration.ofSeconds(4));
    CompletionStage<AuthResult> cached = node.authenticate(key.key());
    assertTrue(cached.toCompletableFuture().isDone(), "a cached key never waits on the store");
    assertEquals(1, store.numReads.get());

    advance(Duration.ofSeconds(2)); // past half the TTL: answered from the cache, refreshed in the background
    assertTrue(node.authenticate(key.key()).toCompletableFuture().isDone());
    awaitReads(2);
  }

  @Test
  void aRevocationOnAnotherNodeTakesEffectWithinTheTtl() throws Exception {
    ApiKeyService here = service();
    ApiKeyService elsewhere = service();
    CreatedKey key = await(here.create(Optional.empty()));
    assertEquals(new AuthResult.Authenticated(key.id()), await(here.authenticate(key.key())));

    assertTrue(await(elsewhere.revoke(key.id())));
    assertEquals(new AuthResult.Revoked(key.id()), await(elsewhere.authenticate(key.key())), "at once where revoked");
    assertEquals(new AuthResult.Authenticated(key.id()), await(here.authenticate(key.key())), "cached here");

    advance(TTL);
    assertEquals(new AuthResult.Revoked(key.id()), await(here.authenticate(key.key())), "within the TTL");
    assertFalse(await(here.revoke("key_000000000000000000000000")), "unknown id");
  }

  @Test
  void storeFailuresSurfaceOnlyForUncachedKeys() throws Exception {
    ApiKeyService service = service();
    CreatedKey key = await(service.create(Optional.empty()));
    store.failing.set(true);
    assertEquals(new AuthResult.Authenticated(key.id()), await(service.authenticate(key.key())));
    advance(Duration.ofSeconds(6));
    assertEquals(new AuthResult.Authenticated(key.id()), await(service.authenticate(key.key())),
        "a failed background refresh keeps the cached answer");
    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> await(service.authenticate("rk-" + "b".repeat(43))));
    assertInstanceOf(StoreException.class, failure.getCause());
  }

  @Test
  void creationModeAndAdminToken() {
    ApiKeyService open = service();
    assertTrue(open.mayCreate(Optional.empty()));
    assertFalse(open.isAdminToken("anything"), "no admin token configured: no admin");

    ApiKeyService admin = service(KeySettings.Creation.ADMIN, Optional.of("s3cret-admin"));
    assertFalse(admin.mayCreate(Optional.empty()));
    assertFalse(admin.mayCreate(Optional.of("wrong")));
    assertTrue(admin.mayCreate(Optional.of("s3cret-admin")));
    assertTrue(admin.isAdminToken("s3cret-admin"));
    assertFalse(admin.settings().toString().contains("s3cret"));
  }

  @Test
  void redactionShowsOnlyFirstAndLastFour() {
    assertEquals("rk-a...wxyz", ApiKeys.redact("rk-abcdefghijklmnopqrstuvwxyz"));
    assertEquals("****", ApiKeys.redact("short"));
  }

  private void awaitReads(int expected) {
    eventually(Duration.ofSeconds(10), () -> assertTrue(store.numReads.get() >= expected, "reads: " + store.numReads));
    assertEquals(expected, store.numReads.get());
  }

  /** The real store, counting hash lookups and able to fail them on demand. */
  private static final class CountingKeyStore implements KeyStore {
    private final KeyStore delegate;
    final AtomicInteger numReads = new AtomicInteger();
    final AtomicBoolean failing = new AtomicBoolean();

    CountingKeyStore(KeyStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletionStage<Void> insert(ApiKeyRecord key) {
      return delegate.insert(key);
    }

    @Override
    public CompletionStage<Optional<ApiKeyRecord>> findByHash(String keyHash) {
      numReads.incrementAndGet();
      if (failing.get()) {
        return CompletableFuture.failedFuture(new StoreException("store down (test)"));
      }
      return delegate.findByHash(keyHash);
    }

    @Override
    public CompletionStage<Optional<ApiKeyRecord>> findById(String id) {
      return delegate.findById(id);
    }

    @Override
    public CompletionStage<Optional<ApiKeyRecord>> revoke(String id) {
      return delegate.revoke(id);
    }
  }
}
