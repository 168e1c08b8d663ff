package dev.robin.accounts.store.embedded;

import dev.robin.accounts.store.KeyStore;
import dev.robin.accounts.store.StoreException;
import dev.robin.accounts.store.StoreSettings;
import dev.robin.accounts.store.Stores;
import dev.robin.accounts.store.UsageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default stores: an H2 database in files under {@code <data-dir>/robin-store}. H2 is pure Java (no native
 * library to extract or match to the platform, unlike SQLite's JDBC driver), supports concurrent transactions,
 * and is already a project dependency. One process owns the files at a time; a cluster uses Cassandra.
 */
public final class EmbeddedStores implements Stores {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedStores.class);

  private final String url;
  private final JdbcConnectionPool pool;
  private final JdbcRunner runner;
  private final H2KeyStore keys;
  private final H2UsageStore usage;
  private boolean closed;

  private EmbeddedStores(String url, JdbcConnectionPool pool, JdbcRunner runner, H2UsageStore usage) {
    this.url = url;
    this.pool = pool;
    this.runner = runner;
    this.keys = new H2KeyStore(runner);
    this.usage = usage;
  }

  /** Opens (creating if needed) the database in {@code settings.directory()} and its tables. */
  public static EmbeddedStores open(StoreSettings.Embedded settings) {
    return open(settings, Clock.systemUTC());
  }

  /** As {@link #open(StoreSettings.Embedded)}, with the clock that dates usage rows for their roll-up. */
  static EmbeddedStores open(StoreSettings.Embedded settings, Clock clock) {
    Path directory = settings.directory().toAbsolutePath().normalize();
    try {
      Files.createDirectories(directory);
    } catch (IOException failure) {
      throw new StoreException("cannot create the embedded store directory " + directory
          + " (set robin.store.embedded.data-dir / ROBIN_DATA_DIR to a writable directory)", failure);
    }
    // DB_CLOSE_ON_EXIT=FALSE: the JVM's shutdown hook must not close the database before the usage recorder's
    // final flush; close() does it, from coordinated shutdown.
    String url = "jdbc:h2:file:" + directory.resolve("robin") + ";DB_CLOSE_ON_EXIT=FALSE";
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "robin", "");
    pool.setMaxConnections(settings.ioThreads() + 1);
    JdbcRunner runner = new JdbcRunner(pool, settings.ioThreads());
    try {
      runner.runNow("create tables", connection -> {
        try (Statement statement = connection.createStatement()) {
          H2KeyStore.createTables(statement);
          H2UsageStore.createTables(statement);
        }
        return null;
      });
    } catch (StoreException failure) {
      runner.close();
      pool.dispose();
      String hint = String.valueOf(failure.getMessage()).contains("lock")
          ? " (another process has it open: the embedded store serves one Robin; use Cassandra for several)"
          : "";
      throw new StoreException("cannot open the embedded store in " + directory + hint + ": " + failure.getMessage(),
          failure);
    }
    log.info("Embedded store open in {}", directory);
    return new EmbeddedStores(url, pool, runner,
        new H2UsageStore(runner, settings.usageEventRetention(), clock));
  }

  @Override
  public KeyStore keys() {
    return keys;
  }

  @Override
  public UsageStore usage() {
    return usage;
  }

  @Override
  public StoreSettings.Backend backend() {
    return StoreSettings.Backend.EMBEDDED;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    runner.close();
    pool.dispose();
    // SHUTDOWN on a plain connection: a pooled one would try to roll back after the database is gone.
    try (Connection connection = DriverManager.getConnection(url, "robin", "");
        Statement statement = connection.createStatement()) {
      statement.execute("SHUTDOWN");
    } catch (SQLException failure) {
      log.warn("Embedded store did not shut down cleanly: {}", failure.getMessage());
    }
  }
}
