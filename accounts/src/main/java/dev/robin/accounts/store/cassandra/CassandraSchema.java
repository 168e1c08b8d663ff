package dev.robin.accounts.store.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.robin.accounts.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Applies {@code conf/cassandra/schema.cql} (on the classpath as {@code cassandra/schema.cql}). */
final class CassandraSchema {

  static final String RESOURCE = "cassandra/schema.cql";

  private CassandraSchema() {}

  static void apply(CqlSession session, String keyspace, String replication) {
    for (String statement : statements(load(), keyspace, replication)) {
      session.execute(SimpleStatement.newInstance(statement));
    }
  }

  /** The schema's statements with the placeholders replaced, comments dropped. */
  static List<String> statements(String schema, String keyspace, String replication) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : schema.split("\n")) {
      if (!line.strip().startsWith("--")) {
        withoutComments.append(line).append('\n');
      }
    }
    String text = withoutComments.toString()
        .replace("${keyspace}", keyspace)
        .replace("${replication}", replication);
    List<String> statements = new ArrayList<>();
    for (String part : text.split(";")) {
      if (!part.isBlank()) {
        statements.add(part.strip());
      }
    }
    return statements;
  }

  private static String load() {
    try (InputStream in = CassandraSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new StoreException("the Cassandra schema " + RESOURCE + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException failure) {
      throw new StoreException("cannot read the Cassandra schema " + RESOURCE, failure);
    }
  }
}
