package dev.robin.accounts.store;

import dev.robin.accounts.store.cassandra.CassandraStores;
import dev.robin.accounts.testing.CassandraExtension;
import dev.robin.accounts.testing.CassandraNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store contract against a real Cassandra node, in this class's own keyspace (created by the schema). */
@Tag("cassandra")
@ExtendWith(CassandraExtension.class)
class CassandraStoresTest extends StoreContractTest {

  private static CassandraNode node;

  @BeforeAll
  static void node(CassandraNode shared) {
    node = shared;
  }

  @Override
  protected Stores openStores() {
    return CassandraStores.open(node.storeSettings("robin_store_test"));
  }
}
