package dev.robin.e2e;

import dev.robin.cluster.testing.CassandraNode;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Tag;

/**
 * {@link UsageAccountingE2E} on the Cassandra store: the test JVM's shared Cassandra 5.0 node (or the one named by
 * {@code CASSANDRA_CONTACT_POINT}), in a keyspace of its own that the server's schema creates.
 */
@Tag("cassandra")
class UsageAccountingCassandraE2ETest extends UsageAccountingE2E {

  @Override
  String storeConfig(Path dataDir) {
    CassandraNode node = CassandraNode.shared();
    String keyspace = "usage_e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return String.join("\n",
        "robin.store.backend = cassandra",
        "robin.store.cassandra.contact-points = \"" + node.host() + ":" + node.port() + "\"",
        "robin.store.cassandra.keyspace = " + keyspace,
        "robin.store.cassandra.request-timeout = 20s");
  }
}
