package dev.robin.accounts.store.embedded;

import dev.robin.accounts.store.ApiKeyRecord;
import dev.robin.accounts.store.KeyStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** API keys in the embedded H2 database: one row per key, looked up by hash through a unique index. */
final class H2KeyStore implements KeyStore {

  private static final String COLUMNS = "id, name, display_prefix, key_hash, created_at, revoked";

  private final JdbcRunner runner;

  H2KeyStore(JdbcRunner runner) {
    this.runner = runner;
  }

  static void createTables(Statement statement) throws SQLException {
    statement.execute("""
        CREATE TABLE IF NOT EXISTS api_keys (
          id VARCHAR(64) PRIMARY KEY,
          name VARCHAR(400) NOT NULL,
          display_prefix VARCHAR(32) NOT NULL,
          key_hash VARCHAR(128) NOT NULL,
          created_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
          revoked BOOLEAN NOT NULL,
          CONSTRAINT api_keys_hash_unique UNIQUE (key_hash))""");
  }

  @Override
  public CompletionStage<Void> insert(ApiKeyRecord key) {
    return runner.transact("insert key " + key.id(), connection -> {
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO api_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
        insert.setString(1, key.id());
        insert.setString(2, key.name());
        insert.setString(3, key.displayPrefix());
        insert.setString(4, key.keyHash());
        insert.setObject(5, key.created().atOffset(ZoneOffset.UTC));
        insert.setBoolean(6, key.revoked());
        insert.executeUpdate();
      }
      Durability.checkpoint(connection);
      return null;
    });
  }

  @Override
  public CompletionStage<Optional<ApiKeyRecord>> findByHash(String keyHash) {
    return runner.transact("look up a key by hash", connection -> selectOne(connection, "key_hash", keyHash));
  }

  @Override
  public CompletionStage<Optional<ApiKeyRecord>> findById(String id) {
    return runner.transact("look up key " + id, connection -> selectOne(connection, "id", id));
  }

  @Override
  public CompletionStage<Optional<ApiKeyRecord>> revoke(String id) {
    return runner.transact("revoke key " + id, connection -> {
      try (PreparedStatement update = connection.prepareStatement("UPDATE api_keys SET revoked = TRUE WHERE id = ?")) {
        update.setString(1, id);
        if (update.executeUpdate() == 0) {
          return Optional.empty();
        }
      }
      Optional<ApiKeyRecord> revoked = selectOne(connection, "id", id);
      Durability.checkpoint(connection);
      return revoked;
    });
  }

  private static Optional<ApiKeyRecord> selectOne(Connection connection, String column, String value)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT " + COLUMNS + " FROM api_keys WHERE " + column + " = ?")) {
      select.setString(1, value);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        return Optional.of(new ApiKeyRecord(
            row.getString(1), row.getString(2), row.getString(3), row.getString(4),
            row.getObject(5, OffsetDateTime.class).toInstant(), row.getBoolean(6)));
      }
    }
  }
}
