package dev.robin.accounts.testing;

import dev.robin.cassandra.node.CassandraNodeMain;
import dev.robin.accounts.store.StoreSettings;
import dev.robin.engine.testkit.Eventually;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real Cassandra 5.0 node for tests: either the one named by {@code CASSANDRA_CONTACT_POINT=host:port}, or a
 * child JVM running {@code CassandraDaemon} from the robin-cassandra-node module, started once per test JVM on
 * first use, with its data under {@code target/cassandra-node/<pid>}. If the node cannot start, {@link #shared()}
 * throws: Cassandra tests fail, they never skip.
 */
public final class CassandraNode {

  /** Environment variable naming an already running node to use instead of starting one. */
  public static final String CONTACT_POINT_ENV = "CASSANDRA_CONTACT_POINT";

  private static final String CLASSPATH_RESOURCE = "dev/robin/cassandra/node/runtime.classpath";
  private static final String READY_LINE = "Starting listening for CQL clients";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private static CassandraNode shared;
  private static RuntimeException startFailure;

  private final String host;
  private final int port;
  private final Process process;
  private final Duration startTime;

  private CassandraNode(String host, int port, Process process, Duration startTime) {
    this.host = host;
    this.port = port;
    this.process = process;
    this.startTime = startTime;
  }

  /** The node of this test JVM, started on first call; throws if it cannot be started or reached. */
  public static synchronized CassandraNode shared() {
    if (startFailure != null) {
      throw startFailure;
    }
    if (shared == null) {
      try {
        shared = startOrConnect();
      } catch (RuntimeException failure) {
        startFailure = failure;
        throw failure;
      }
    }
    return shared;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** How long the node took to accept CQL connections (zero for an external node). */
  public Duration startTime() {
    return startTime;
  }

  /** Store settings pointing at this node, in {@code keyspace} (created by the schema), RF 1. */
  public StoreSettings.Cassandra storeSettings(String keyspace) {
    return new StoreSettings.Cassandra(
        List.of(InetSocketAddress.createUnresolved(host, port)), "datacenter1", keyspace,
        "{'class': 'SimpleStrategy', 'replication_factor': 1}", "LOCAL_QUORUM", true, Duration.ofSeconds(20),
        Optional.empty(), Optional.empty());
  }

  private static CassandraNode startOrConnect() {
    String external = System.getenv(CONTACT_POINT_ENV);
    if (external != null && !external.isBlank()) {
      int colon = external.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalStateException(CONTACT_POINT_ENV + " must be host:port, got '" + external + "'");
      }
      String host = external.substring(0, colon);
      int port = Integer.parseInt(external.substring(colon + 1).trim());
      if (!acceptsConnections(host, port)) {
        throw new IllegalStateException(CONTACT_POINT_ENV + "=" + external + " but nothing listens there");
      }
      return new CassandraNode(host, port, null, Duration.ZERO);
    }
    return startChild();
  }

  private static CassandraNode startChild() {
    long started = System.nanoTime();
    Path root = Path.of("target", "cassandra-node").toAbsolutePath();
    deleteStaleNodeDirectories(root);
    Path dir = root.resolve(Long.toString(ProcessHandle.current().pid()));
    int storagePort = freePort();
    int cqlPort = freePort();
    try {
      deleteRecursively(dir);
      Files.createDirectories(dir.resolve("logs"));
      Files.writeString(dir.resolve("cassandra.yaml"), CassandraNodeFiles.yaml(dir, storagePort, cqlPort));
      Files.writeString(dir.resolve("logback.xml"), CassandraNodeFiles.logback(dir.resolve("logs")));
    } catch (IOException failure) {
      throw new UncheckedIOException("cannot prepare the Cassandra node directory " + dir, failure);
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(CassandraNodeFiles.jvmFlags(dir));
    command.add("-cp");
    command.add(nodeClasspath());
    command.add(CassandraNodeMain.class.getName());
    Path stdout = dir.resolve("logs").resolve("stdout.log");
    Process process;
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(stdout.toFile())
          .start();
    } catch (IOException failure) {
      throw new UncheckedIOException("cannot start the Cassandra node JVM", failure);
    }
    // Keep stdin open for the node's lifetime: when this JVM dies the pipe closes and the node halts itself.
    OutputStream keepAlive = process.getOutputStream();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      process.destroyForcibly();
      try {
        keepAlive.close();
      } catch (IOException ignored) {
        // The node is being killed anyway.
      }
    }, "cassandra-node-stopper"));
    awaitReady(process, dir, cqlPort);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    System.err.printf("Cassandra test node ready on 127.0.0.1:%d in %.1f s (data in %s)%n", cqlPort,
        took.toMillis() / 1000.0, dir);
    return new CassandraNode("127.0.0.1", cqlPort, process, took);
  }

  private static void awaitReady(Process process, Path dir, int cqlPort) {
    Path systemLog = dir.resolve("logs").resolve("system.log");
    try {
      Eventually.eventually(START_TIMEOUT, Duration.ofMillis(200), () -> {
        if (!process.isAlive()) { // fails at once, not as "not yet"
          throw new IllegalStateException("the Cassandra node exited with status " + process.exitValue()
              + " before accepting CQL connections; its output:\n" + tail(dir));
        }
        if (!(logContains(systemLog, READY_LINE) && acceptsConnections("127.0.0.1", cqlPort))) {
          throw new AssertionError("not accepting CQL connections yet");
        }
      });
    } catch (AssertionError timeout) {
      process.destroyForcibly();
      throw new IllegalStateException("the Cassandra node did not accept CQL connections within " + START_TIMEOUT
          + "; its output:\n" + tail(dir), timeout);
    }
  }

  private static String nodeClasspath() {
    try (InputStream in = CassandraNode.class.getClassLoader().getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(CLASSPATH_RESOURCE + " is missing from the test classpath: build the "
            + "robin-cassandra-node module first (mvn -pl accounts -am ...)");
      }
      String jars = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      Path nodeClasses = Path.of(CassandraNodeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return nodeClasses + java.io.File.pathSeparator + jars;
    } catch (IOException | java.net.URISyntaxException failure) {
      throw new IllegalStateException("cannot read the Cassandra node's classpath", failure);
    }
  }

  private static boolean logContains(Path log, String line) {
    try {
      return Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(line);
    } catch (IOException unreadable) {
      return false;
    }
  }

  static boolean acceptsConnections(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private static String tail(Path dir) {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("stdout.log", "system.log")) {
      Path file = dir.resolve("logs").resolve(name);
      try {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1) : List.of();
        out.append("--- ").append(file).append('\n');
        lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> out.append(l).append('\n'));
      } catch (IOException unreadable) {
        out.append("(cannot read ").append(file).append(")\n");
      }
    }
    return out.toString();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException failure) {
      throw new UncheckedIOException("no free port for the Cassandra node", failure);
    }
  }

  /** A killed test JVM leaves its node directory behind; remove those whose JVM is gone. */
  private static void deleteStaleNodeDirectories(Path root) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.toList()) {
        String name = dir.getFileName().toString();
        if (name.matches("\\d+") && ProcessHandle.of(Long.parseLong(name)).isEmpty()) {
          deleteRecursively(dir);
        }
      }
    } catch (IOException failure) {
      // Stale directories only cost disk space; a fresh node does not need them gone.
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
