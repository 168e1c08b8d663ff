package dev.robin.app.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.robin.accounts.store.Stores;
import dev.robin.accounts.store.cassandra.CassandraStores;
import dev.robin.accounts.testing.CassandraNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Tag;

/**
 * {@link UsageAccountingE2E} on the Cassandra store: the test JVM's shared Cassandra 5.0 node (or the one named by
 * {@code CASSANDRA_CONTACT_POINT}), in a keyspace of its own that the server's schema creates.
 */
@Tag("cassandra")
class UsageAccountingCassandraE2ETest extends UsageAccountingE2E {

  private final String keyspace = "usage_e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  @Override
  String storeConfig(Path dataDir) {
    CassandraNode node = CassandraNode.shared();
    return String.join("\n",
        "robin.store.backend = cassandra",
        "robin.store.cassandra.contact-points = \"" + node.host() + ":" + node.port() + "\"",
        "robin.store.cassandra.keyspace = " + keyspace,
        "robin.store.cassandra.request-timeout = 20s");
  }

  @Override
  void assertStoreHolds(Path dataDir, String keyId, long requests, long promptTokens, long completionTokens)
      throws Exception {
    assertFalse(Files.exists(dataDir.resolve("robin-store")), "no embedded store was created");
    try (Stores stores = CassandraStores.open(CassandraNode.shared().storeSettings(keyspace))) {
      assertTotals(stores, keyId, requests, promptTokens, completionTokens);
    }
  }
}
