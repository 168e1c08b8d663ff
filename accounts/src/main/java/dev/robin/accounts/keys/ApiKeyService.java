package dev.robin.accounts.keys;

import dev.robin.accounts.store.ApiKeyRecord;
import dev.robin.accounts.store.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, checks and revokes API keys. Thread-safe; every method returns at once.
 *
 * <p>Lookups are cached by key hash for {@code cacheTtl}. A key in use is refreshed in the background once its
 * entry is half that old, so requests with a known key never wait on the store; a revocation made on another
 * node takes effect within {@code cacheTtl}, one made here at once. Neither a key nor its hash is ever logged.
 */
public final class ApiKeyService {

  private static final Logger log = LoggerFactory.getLogger(ApiKeyService.class);
  /** Longest key name, in characters (Unicode code points). */
  public static final int MAX_NAME_LENGTH = 100;

  private record Entry(AuthResult result, long loadedAtNanos) {}

  private final KeyStore store;
  private final KeySettings settings;
  private final InstantSource clock;
  private final LongSupplier nanoClock;
  private final SecureRandom random = new SecureRandom();
  private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CompletableFuture<AuthResult>> loading = new ConcurrentHashMap<>();
  private final byte[] adminTokenHash;

  public ApiKeyService(KeyStore store, KeySettings settings) {
    this(store, settings, InstantSource.system(), System::nanoTime);
  }

  /** With injected clocks: {@code clock} stamps creation times, {@code nanoClock} ages cache entries. */
  public ApiKeyService(KeyStore store, KeySettings settings, InstantSource clock, LongSupplier nanoClock) {
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.nanoClock = nanoClock;
    this.adminTokenHash = settings.adminToken().map(ApiKeys::sha256).orElse(null);
  }

  public KeySettings settings() {
    return settings;
  }

  /**
   * Creates a key. The returned plaintext is the only copy: the store keeps its hash.
   *
   * @param name optional label; at most {@value #MAX_NAME_LENGTH} characters, no control characters
   * @throws IllegalArgumentException (synchronously) if the name is invalid; the message names the problem
   */
  public CompletionStage<CreatedKey> create(Optional<String> name) {
    String label = validateName(name.orElse(""));
    String plaintext = ApiKeys.newKey(random);
    String hash = ApiKeys.hash(plaintext);
    // Millisecond precision: what every store can keep, so a key reads back exactly as created.
    Instant created = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    ApiKeyRecord record = new ApiKeyRecord(ApiKeys.newId(random), label, ApiKeys.displayPrefix(plaintext), hash,
        created, false);
    return store.insert(record).thenApply(stored -> {
      remember(hash, new AuthResult.Authenticated(record.id()));
      log.info("Created API key {}", record.id());
      return new CreatedKey(record.id(), label, plaintext, created);
    });
  }

  /**
   * Checks a presented key. Completes at once when the answer is cached (the usual case for a key in use);
   * otherwise after one store read, shared by concurrent requests with the same key. Fails with the store's
   * exception only when the key is not cached and the store cannot be read.
   */
  public CompletionStage<AuthResult> authenticate(String presented) {
    if (!ApiKeys.isWellFormed(presented)) {
      return CompletableFuture.completedFuture(AuthResult.INVALID);
    }
    String hash = ApiKeys.hash(presented);
    Entry entry = cache.get(hash);
    if (entry != null) {
      long age = nanoClock.getAsLong() - entry.loadedAtNanos();
      long ttl = settings.cacheTtl().toNanos();
      if (age < ttl) {
        if (age >= ttl / 2) {
          load(hash).exceptionally(failure -> {
            log.warn("Background refresh of a cached API key failed; the cached answer stays until it expires: {}",
                failure.toString());
            return null;
          });
        }
        return CompletableFuture.completedFuture(entry.result());
      }
    }
    return load(hash);
  }

  /**
   * Revokes a key; effective on this node at once, on others within the cache TTL.
   *
   * @return true if the key existed (revoking twice is fine), false if no key has this id
   */
  public CompletionStage<Boolean> revoke(String keyId) {
    return store.revoke(keyId).thenApply(revoked -> {
      revoked.ifPresent(key -> {
        remember(key.keyHash(), new AuthResult.Revoked(key.id()));
        log.info("Revoked API key {}", key.id());
      });
      return revoked.isPresent();
    });
  }

  /** Whether a caller presenting {@code token} may create keys under the configured creation mode. */
  public boolean mayCreate(Optional<String> token) {
    return settings.creation() == KeySettings.Creation.OPEN || token.map(this::isAdminToken).orElse(false);
  }

  /** Whether {@code token} is the configured admin token (constant-time); always false when none is set. */
  public boolean isAdminToken(String token) {
    return adminTokenHash != null && token != null && MessageDigest.isEqual(adminTokenHash, ApiKeys.sha256(token));
  }

  /** Number of cached lookups (for tests and metrics). */
  public int numCached() {
    return cache.size();
  }

  private CompletionStage<AuthResult> load(String hash) {
    CompletableFuture<AuthResult> mine = new CompletableFuture<>();
    CompletableFuture<AuthResult> running = loading.putIfAbsent(hash, mine);
    if (running != null) {
      return running;
    }
    try {
      store.findByHash(hash).whenComplete((found, failure) -> {
        if (failure != null) {
          loading.remove(hash, mine);
          mine.completeExceptionally(failure);
          return;
        }
        AuthResult result = found.<AuthResult>map(key -> key.revoked()
                ? new AuthResult.Revoked(key.id())
                : new AuthResult.Authenticated(key.id()))
            .orElse(AuthResult.INVALID);
        remember(hash, result);
        loading.remove(hash, mine);
        mine.complete(result);
      });
    } catch (RuntimeException failure) {
      loading.remove(hash, mine);
      mine.completeExceptionally(failure);
    }
    return mine;
  }

  private void remember(String hash, AuthResult result) {
    long now = nanoClock.getAsLong();
    if (cache.size() >= settings.cacheMaxEntries() && !cache.containsKey(hash)) {
      long ttl = settings.cacheTtl().toNanos();
      cache.values().removeIf(entry -> now - entry.loadedAtNanos() >= ttl);
      if (cache.size() >= settings.cacheMaxEntries()) {
        if (result instanceof AuthResult.Invalid) {
          return; // under a flood of unknown keys, keep the known ones rather than the garbage
        }
        dropArbitraryTenth();
      }
    }
    cache.put(hash, new Entry(result, now));
  }

  private void dropArbitraryTenth() {
    int toDrop = Math.max(1, settings.cacheMaxEntries() / 10);
    Iterator<Entry> entries = cache.values().iterator();
    while (toDrop-- > 0 && entries.hasNext()) {
      entries.next();
      entries.remove();
    }
  }

  private static String validateName(String name) {
    if (name.codePointCount(0, name.length()) > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("name must be at most " + MAX_NAME_LENGTH + " characters, got "
          + name.codePointCount(0, name.length()));
    }
    if (name.codePoints().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("name must not contain control characters");
    }
    return name;
  }
}
