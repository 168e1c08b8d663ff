package dev.robin.accounts.store.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import dev.robin.accounts.store.KeyStore;
import dev.robin.accounts.store.StoreException;
import dev.robin.accounts.store.StoreSettings;
import dev.robin.accounts.store.Stores;
import dev.robin.accounts.store.UsageStore;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys and usage in Cassandra, shared by every Robin node. All statements are prepared once and run through the
 * driver's asynchronous API, so no caller thread blocks on the network.
 */
public final class CassandraStores implements Stores {

  private static final Logger log = LoggerFactory.getLogger(CassandraStores.class);

  private final CqlSession session;
  private final CassandraKeyStore keys;
  private final CassandraUsageStore usage;

  private CassandraStores(CqlSession session, CassandraKeyStore keys, CassandraUsageStore usage) {
    this.session = session;
    this.keys = keys;
    this.usage = usage;
  }

  /** Connects, applies the schema if configured, and prepares every statement. Blocks: call at start-up. */
  public static CassandraStores open(StoreSettings.Cassandra settings) {
    DefaultConsistencyLevel consistency = consistency(settings.consistency());
    CqlSession session = connect(settings);
    try {
      if (settings.applySchema()) {
        CassandraSchema.apply(session, settings.keyspace(), settings.replication());
      }
      CassandraKeyStore keys = new CassandraKeyStore(session, settings.keyspace(), consistency);
      CassandraUsageStore usage = new CassandraUsageStore(session, settings.keyspace(), consistency);
      log.info("Cassandra store open: keyspace {} via {} (datacenter {}, consistency {})",
          settings.keyspace(), settings.contactPoints(), settings.localDatacenter(), consistency);
      return new CassandraStores(session, keys, usage);
    } catch (RuntimeException failure) {
      session.close();
      throw new StoreException("Cassandra store could not be prepared in keyspace " + settings.keyspace()
          + " (does it exist? set robin.store.cassandra.apply-schema = true to create it): " + failure.getMessage(),
          failure);
    }
  }

  private static CqlSession connect(StoreSettings.Cassandra settings) {
    DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, settings.requestTimeout())
        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, settings.requestTimeout())
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, settings.requestTimeout())
        // Robin changes the schema only at start; the default 1 s debounce would add a second to each DDL.
        .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ZERO)
        .build();
    CqlSessionBuilder builder = CqlSession.builder()
        .withConfigLoader(config)
        .withLocalDatacenter(settings.localDatacenter());
    for (InetSocketAddress point : settings.contactPoints()) {
      builder.addContactPoint(new InetSocketAddress(point.getHostString(), point.getPort()));
    }
    if (settings.username().isPresent()) {
      builder.withAuthCredentials(settings.username().get(), settings.password().orElse(""));
    }
    try {
      return builder.build();
    } catch (RuntimeException failure) {
      throw new StoreException("cannot connect to Cassandra at " + settings.contactPoints() + " (datacenter "
          + settings.localDatacenter() + "; check robin.store.cassandra.contact-points and local-datacenter): "
          + failure.getMessage(), failure);
    }
  }

  private static DefaultConsistencyLevel consistency(String name) {
    try {
      return DefaultConsistencyLevel.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException unknown) {
      throw new StoreException("robin.store.cassandra.consistency '" + name
          + "' is not a consistency level (e.g. LOCAL_QUORUM, QUORUM, ONE)");
    }
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
    return StoreSettings.Backend.CASSANDRA;
  }

  @Override
  public void close() {
    try {
      session.closeAsync().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception failure) {
      if (failure instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.warn("Cassandra session did not close cleanly: {}", failure.toString());
      session.forceCloseAsync();
    }
  }
}
