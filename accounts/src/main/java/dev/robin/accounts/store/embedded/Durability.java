package dev.robin.accounts.store.embedded;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Makes committed writes reach the file before they are acknowledged. */
final class Durability {

  private Durability() {}

  /**
   * Commits the current transaction and flushes it to disk. H2 otherwise writes committed changes in the
   * background up to a second later, which a killed process would lose after the caller was told "stored".
   */
  static void checkpoint(Connection connection) throws SQLException {
    connection.commit();
    try (Statement statement = connection.createStatement()) {
      statement.execute("CHECKPOINT");
    }
  }
}
