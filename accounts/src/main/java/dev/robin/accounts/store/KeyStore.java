package dev.robin.accounts.store;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Durable API key records. Every method is asynchronous and never blocks its caller: implementations run blocking
 * I/O on their own threads, so actors and HTTP handlers may call them directly. Failures complete the stage
 * exceptionally with a {@link StoreException}.
 */
public interface KeyStore {

  /** Stores a new key. Ids and hashes come from a secure random source, so they never collide in practice. */
  CompletionStage<Void> insert(ApiKeyRecord key);

  /** The key whose plaintext hashes to {@code keyHash}, if any (revoked keys included). */
  CompletionStage<Optional<ApiKeyRecord>> findByHash(String keyHash);

  /** The key with this id, if any. */
  CompletionStage<Optional<ApiKeyRecord>> findById(String id);

  /**
   * Marks the key revoked; revoking twice is harmless.
   *
   * @return the revoked key, or empty if no key has this id
   */
  CompletionStage<Optional<ApiKeyRecord>> revoke(String id);
}
