package dev.robin.accounts.store;

import dev.robin.accounts.store.embedded.EmbeddedStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract against the embedded H2 store, in a fresh directory per test. */
class EmbeddedStoresTest extends StoreContractTest {

  @TempDir
  Path dataDir;

  @Override
  protected Stores openStores() {
    return EmbeddedStores.open(new StoreSettings.Embedded(dataDir.resolve("robin-store"), 2));
  }
}
