package dev.robin.e2e;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;

/** {@link UsageAccountingE2E} on the embedded H2 store, in a fresh data directory. */
@Tag("e2e")
class UsageAccountingEmbeddedE2ETest extends UsageAccountingE2E {

  @Override
  String storeConfig(Path dataDir) {
    return "robin.store.backend = embedded";
  }
}
