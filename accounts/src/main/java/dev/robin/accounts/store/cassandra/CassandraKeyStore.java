package dev.robin.accounts.store.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import dev.robin.accounts.store.ApiKeyRecord;
import dev.robin.accounts.store.KeyStore;
import dev.robin.accounts.store.StoreException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** API keys in two tables (by id, by hash) kept in step by logged batches. */
final class CassandraKeyStore implements KeyStore {

  private final CqlSession session;
  private final ConsistencyLevel consistency;
  private final PreparedStatement insertById;
  private final PreparedStatement insertByHash;
  private final PreparedStatement selectById;
  private final PreparedStatement selectByHash;
  private final PreparedStatement revokeById;
  private final PreparedStatement revokeByHash;

  CassandraKeyStore(CqlSession session, String keyspace, ConsistencyLevel consistency) {
    this.session = session;
    this.consistency = consistency;
    insertById = session.prepare("INSERT INTO " + keyspace + ".api_keys "
        + "(id, name, display_prefix, key_hash, created, revoked) VALUES (?, ?, ?, ?, ?, ?)");
    insertByHash = session.prepare("INSERT INTO " + keyspace + ".api_keys_by_hash "
        + "(key_hash, id, name, display_prefix, created, revoked) VALUES (?, ?, ?, ?, ?, ?)");
    selectById = session.prepare("SELECT id, name, display_prefix, key_hash, created, revoked FROM "
        + keyspace + ".api_keys WHERE id = ?");
    selectByHash = session.prepare("SELECT id, name, display_prefix, key_hash, created, revoked FROM "
        + keyspace + ".api_keys_by_hash WHERE key_hash = ?");
    revokeById = session.prepare("UPDATE " + keyspace + ".api_keys SET revoked = true WHERE id = ?");
    revokeByHash = session.prepare("UPDATE " + keyspace + ".api_keys_by_hash SET revoked = true WHERE key_hash = ?");
  }

  @Override
  public CompletionStage<Void> insert(ApiKeyRecord key) {
    BatchStatement batch = BatchStatement.newInstance(BatchType.LOGGED,
        insertById.bind(key.id(), key.name(), key.displayPrefix(), key.keyHash(), key.created(), key.revoked()),
        insertByHash.bind(key.keyHash(), key.id(), key.name(), key.displayPrefix(), key.created(), key.revoked()));
    return run(batch, "insert key " + key.id()).thenApply(rows -> null);
  }

  @Override
  public CompletionStage<Optional<ApiKeyRecord>> findByHash(String keyHash) {
    return run(selectByHash.bind(keyHash), "look up a key by hash").thenApply(CassandraKeyStore::firstKey);
  }

  @Override
  public CompletionStage<Optional<ApiKeyRecord>> findById(String id) {
    return run(selectById.bind(id), "look up key " + id).thenApply(CassandraKeyStore::firstKey);
  }

  @Override
  public CompletionStage<Optional<ApiKeyRecord>> revoke(String id) {
    return findById(id).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(Optional.<ApiKeyRecord>empty());
      }
      ApiKeyRecord key = found.get();
      BatchStatement batch = BatchStatement.newInstance(BatchType.LOGGED,
          revokeById.bind(key.id()), revokeByHash.bind(key.keyHash()));
      return run(batch, "revoke key " + id).thenApply(rows -> Optional.of(key.asRevoked()));
    });
  }

  private CompletionStage<AsyncResultSet> run(Statement<?> statement, String what) {
    return session.executeAsync(statement.setConsistencyLevel(consistency))
        .exceptionally(failure -> {
          throw new StoreException("Cassandra store failed to " + what + ": " + failure.getMessage(), failure);
        });
  }

  private static Optional<ApiKeyRecord> firstKey(AsyncResultSet rows) {
    Row row = rows.one();
    if (row == null) {
      return Optional.empty();
    }
    String name = row.getString("name");
    return Optional.of(new ApiKeyRecord(
        row.getString("id"), name == null ? "" : name, row.getString("display_prefix"), row.getString("key_hash"),
        row.getInstant("created"), row.getBoolean("revoked")));
  }
}
