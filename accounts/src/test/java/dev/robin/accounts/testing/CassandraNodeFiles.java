package dev.robin.accounts.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The cassandra.yaml, logback.xml and JVM flags of the test node (see shared/docs/cassandra-testing.md). */
final class CassandraNodeFiles {

  private CassandraNodeFiles() {}

  static String yaml(Path dir, int storagePort, int cqlPort) {
    return """
        cluster_name: robin-test
        num_tokens: 1
        partitioner: org.apache.cassandra.dht.Murmur3Partitioner
        endpoint_snitch: SimpleSnitch
        seed_provider:
          - class_name: org.apache.cassandra.locator.SimpleSeedProvider
            parameters:
              - seeds: "127.0.0.1:%2$d"
        listen_address: 127.0.0.1
        rpc_address: 127.0.0.1
        storage_port: %2$d
        native_transport_port: %3$d
        start_native_transport: true
        commitlog_sync: periodic
        commitlog_sync_period: 10000ms
        commitlog_segment_size: 8MiB
        commitlog_directory: %1$s/commitlog
        data_file_directories:
          - %1$s/data
        saved_caches_directory: %1$s/saved_caches
        hints_directory: %1$s/hints
        cdc_raw_directory: %1$s/cdc_raw
        memtable_heap_space: 64MiB
        memtable_offheap_space: 64MiB
        concurrent_compactors: 1
        auto_snapshot: false
        """.formatted(dir, storagePort, cqlPort);
  }

  static String logback(Path logDir) {
    // No comma in the date pattern: logback would read it as a time-zone separator.
    return """
        <configuration>
          <appender name="FILE" class="ch.qos.logback.core.FileAppender">
            <file>%s/system.log</file>
            <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level [%%thread] %%logger{30} - %%msg%%n</pattern></encoder>
          </appender>
          <root level="INFO"><appender-ref ref="FILE"/></root>
        </configuration>
        """.formatted(logDir);
  }

  static List<String> jvmFlags(Path dir) {
    List<String> flags = new ArrayList<>(List.of(
        "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError",
        "-Dcassandra.unsafesystem=true", "-Dcassandra.skip_wait_for_gossip_to_settle=0",
        "-Dcassandra.ring_delay_ms=0", "-Dchronicle.analytics.disable=true",
        "-Djdk.attach.allowAttachSelf=true", "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dcassandra.config=" + dir.resolve("cassandra.yaml").toUri(),
        "-Dcassandra.storagedir=" + dir,
        "-Dcassandra.logdir=" + dir.resolve("logs"),
        "-Dcassandra-foreground=yes",
        "-Dlogback.configurationFile=" + dir.resolve("logback.xml")));
    for (String export : List.of("java.base/jdk.internal.misc", "java.management.rmi/com.sun.jmx.remote.internal.rmi",
        "java.rmi/sun.rmi.registry", "java.rmi/sun.rmi.server", "java.sql/java.sql", "java.base/java.lang.ref",
        "jdk.unsupported/sun.misc", "jdk.compiler/com.sun.tools.javac.file", "jdk.attach/sun.tools.attach")) {
      flags.add("--add-exports");
      flags.add(export + "=ALL-UNNAMED");
    }
    for (String open : List.of("java.base/java.lang.module", "java.base/jdk.internal.loader",
        "java.base/jdk.internal.ref", "java.base/jdk.internal.reflect", "java.base/jdk.internal.math",
        "java.base/jdk.internal.module", "java.base/jdk.internal.util.jar", "jdk.management/com.sun.management.internal",
        "java.base/sun.nio.ch", "java.base/java.io", "java.base/java.lang.reflect", "jdk.compiler/com.sun.tools.javac",
        "java.base/java.lang", "java.base/java.util")) {
      flags.add("--add-opens");
      flags.add(open + "=ALL-UNNAMED");
    }
    return flags;
  }
}
