package dev.robin.accounts.store.backend;

import dev.robin.accounts.store.Stores;
import dev.robin.accounts.store.StoreSettings;
import dev.robin.accounts.store.cassandra.CassandraStores;
import dev.robin.accounts.store.embedded.EmbeddedStores;

/** Opens the stores {@code robin.store.backend} selects. */
public final class StoreFactory {

  private StoreFactory() {}

  /**
   * Opens the configured backend: creates the embedded database or connects to Cassandra (applying the schema
   * when configured). Blocks until the stores are usable; call it at start-up, not from an actor.
   *
   * @throws StoreException if the store cannot be opened; the message says what to fix
   */
  public static Stores open(StoreSettings settings) {
    return switch (settings.backend()) {
      case EMBEDDED -> EmbeddedStores.open(settings.embedded());
      case CASSANDRA -> CassandraStores.open(settings.cassandra());
    };
  }
}
