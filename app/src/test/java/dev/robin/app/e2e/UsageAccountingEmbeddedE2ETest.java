package dev.robin.app.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.accounts.store.StoreSettings;
import dev.robin.accounts.store.Stores;
import dev.robin.accounts.store.embedded.EmbeddedStores;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;

/** {@link UsageAccountingE2E} on the embedded H2 store, in a fresh data directory. */
@Tag("e2e")
class UsageAccountingEmbeddedE2ETest extends UsageAccountingE2E {

  @Override
  String storeConfig(Path dataDir) {
    return "robin.store.backend = embedded";
  }

  @Override
  void assertStoreHolds(Path dataDir, String keyId, long requests, long promptTokens, long completionTokens)
      throws Exception {
    Path directory = dataDir.resolve("robin-store");
    assertTrue(Files.isDirectory(directory), "the H2 files are under <data-dir>/robin-store");
    try (Stores stores = EmbeddedStores.open(new StoreSettings.Embedded(directory, 1))) {
      assertTotals(stores, keyId, requests, promptTokens, completionTokens);
    }
  }
}
