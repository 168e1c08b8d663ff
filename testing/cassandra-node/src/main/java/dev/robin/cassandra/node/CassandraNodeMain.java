package dev.robin.cassandra.node;

import java.io.IOException;
import java.io.InputStream;

/**
 * Starts Cassandra's {@code CassandraDaemon} in this JVM and halts the JVM as soon as standard input reaches end
 * of file. The test JVM that starts this process keeps a pipe to its stdin open; when that JVM ends, even by
 * {@code kill -9}, the pipe closes and the node goes with it, so no Cassandra outlives the build.
 */
public final class CassandraNodeMain {

  private static final String DAEMON = "org.apache.cassandra.service.CassandraDaemon";

  private CassandraNodeMain() {}

  public static void main(String[] args) throws Exception {
    Thread watchdog = new Thread(CassandraNodeMain::haltOnStdinEof, "robin-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    // Loaded reflectively so this class compiles without Cassandra's API and stays trivially small.
    Class.forName(DAEMON).getMethod("main", String[].class).invoke(null, (Object) args);
  }

  private static void haltOnStdinEof() {
    InputStream in = System.in;
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // The parent never writes; anything it sends is ignored.
      }
    } catch (IOException closed) {
      // A broken pipe means the parent is gone, the same as end of file.
    }
    // halt, not exit: Cassandra's shutdown hooks drain for seconds, and throwaway test data needs no drain.
    Runtime.getRuntime().halt(0);
  }
}
