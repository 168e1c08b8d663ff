package dev.robin.accounts.store;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Which store backend to use and how to reach it: the {@code robin.store} block of application.conf, read once.
 *
 * @param backend embedded (H2 files under the data directory) or cassandra
 * @param embedded settings of the embedded store
 * @param cassandra settings of the Cassandra store
 */
public record StoreSettings(Backend backend, Embedded embedded, Cassandra cassandra) {

  /** The store implementations. */
  public enum Backend {
    EMBEDDED,
    CASSANDRA
  }

  /**
   * The embedded H2 store.
   *
   * @param directory where the database files live ({@code <data-dir>/robin-store})
   * @param ioThreads threads running blocking JDBC calls, off every actor and HTTP thread
   * @param usageEventRetention how long a request's own usage row is kept (and a retry of it recognised) before
   *     it is rolled up into its key's daily sums
   */
  public record Embedded(Path directory, int ioThreads, Duration usageEventRetention) {

    /** The retention used when none is given. */
    public static final Duration DEFAULT_USAGE_EVENT_RETENTION = Duration.ofDays(7);

    public Embedded {
      Objects.requireNonNull(directory, "directory");
      if (ioThreads < 1) {
        throw new IllegalArgumentException("robin.store.embedded.io-threads must be >= 1, got " + ioThreads);
      }
      if (usageEventRetention.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new IllegalArgumentException("robin.store.embedded.usage-event-retention must be at least 1 minute "
            + "(retried usage batches must still be recognised), got " + usageEventRetention);
      }
    }

    /** With the default usage event retention. */
    public Embedded(Path directory, int ioThreads) {
      this(directory, ioThreads, DEFAULT_USAGE_EVENT_RETENTION);
    }
  }

  /**
   * The Cassandra store.
   *
   * @param contactPoints nodes to first connect to
   * @param localDatacenter the datacenter whose nodes are queried (the driver requires it)
   * @param keyspace keyspace holding Robin's tables
   * @param replication CQL replication map used when the schema creates the keyspace
   * @param consistency consistency level of every read and write, e.g. LOCAL_QUORUM
   * @param applySchema whether to run conf/cassandra/schema.cql on start (idempotent)
   * @param requestTimeout driver request timeout; DDL on a busy node can take seconds
   * @param username optional plain-text auth user
   * @param password optional plain-text auth password
   */
  public record Cassandra(
      List<InetSocketAddress> contactPoints,
      String localDatacenter,
      String keyspace,
      String replication,
      String consistency,
      boolean applySchema,
      Duration requestTimeout,
      Optional<String> username,
      Optional<String> password) {

    public Cassandra {
      contactPoints = List.copyOf(contactPoints);
      if (contactPoints.isEmpty()) {
        throw new IllegalArgumentException("robin.store.cassandra.contact-points must name at least one host:port");
      }
      if (!keyspace.matches("[A-Za-z][A-Za-z0-9_]{0,47}")) {
        throw new IllegalArgumentException("robin.store.cassandra.keyspace must be a plain CQL identifier "
            + "(letter, then letters, digits or _; at most 48), got '" + keyspace + "'");
      }
    }

    /** A copy using another keyspace (tests give each suite its own). */
    public Cassandra withKeyspace(String otherKeyspace) {
      return new Cassandra(contactPoints, localDatacenter, otherKeyspace, replication, consistency, applySchema,
          requestTimeout, username, password);
    }
  }

  /** Reads the {@code robin.store} block; a bad value fails with a message naming the setting. */
  public static StoreSettings fromConfig(Config store) {
    Backend backend = parseBackend(store.getString("backend"));
    Config e = store.getConfig("embedded");
    Embedded embedded = new Embedded(
        Path.of(e.getString("data-dir")).resolve("robin-store"), e.getInt("io-threads"),
        e.getDuration("usage-event-retention"));
    Config c = store.getConfig("cassandra");
    Cassandra cassandra = new Cassandra(
        parseContactPoints(c.getString("contact-points")),
        c.getString("local-datacenter"),
        c.getString("keyspace"),
        c.getString("replication"),
        c.getString("consistency").toUpperCase(Locale.ROOT),
        c.getBoolean("apply-schema"),
        c.getDuration("request-timeout"),
        optional(c, "username"),
        optional(c, "password"));
    return new StoreSettings(backend, embedded, cassandra);
  }

  private static Backend parseBackend(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "embedded" -> Backend.EMBEDDED;
      case "cassandra" -> Backend.CASSANDRA;
      default -> throw new ConfigException.BadValue(
          "robin.store.backend", "must be 'embedded' or 'cassandra', got '" + value + "'");
    };
  }

  /** Parses {@code host:port,host:port}; a host without a port gets 9042. */
  static List<InetSocketAddress> parseContactPoints(String value) {
    List<InetSocketAddress> points = new ArrayList<>();
    for (String part : value.split(",")) {
      String hostPort = part.trim();
      if (hostPort.isEmpty()) {
        continue;
      }
      int colon = hostPort.lastIndexOf(':');
      String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      int port = 9042;
      if (colon >= 0) {
        try {
          port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException notANumber) {
          throw new ConfigException.BadValue(
              "robin.store.cassandra.contact-points", "'" + hostPort + "' is not host:port");
        }
      }
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      // Unresolved: the driver resolves names itself, and start-up must not block on DNS here.
      points.add(InetSocketAddress.createUnresolved(host, port));
    }
    return points;
  }

  private static Optional<String> optional(Config config, String path) {
    return config.hasPath(path) && !config.getString(path).isBlank()
        ? Optional.of(config.getString(path))
        : Optional.empty();
  }

  @Override
  public String toString() {
    return "StoreSettings[backend=" + backend + ", embedded=" + embedded + ", cassandra=" + cassandra.contactPoints()
        + "/" + cassandra.keyspace() + "]";
  }
}
