package dev.robin.bench.structured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The schemas of {@code bench structured} (resource {@code schemas.json}): the nested schema the constrained load
 * carries, and the 25 schemas whose compile times it reports.
 *
 * @param load the constrained requests' schema
 * @param compile the schemas compiled once each (then the first again, a cache hit)
 */
public record BenchSchemas(NamedSchema load, List<NamedSchema> compile) {

  /** A JSON Schema and the name sent with it in {@code response_format.json_schema.name}. */
  public record NamedSchema(String name, JsonNode schema) {}

  public static BenchSchemas read() {
    try (InputStream in = BenchSchemas.class.getResourceAsStream("schemas.json")) {
      if (in == null) {
        throw new IllegalStateException("schemas.json is missing from the benchmarks' resources");
      }
      JsonNode root = new ObjectMapper().readTree(in);
      List<NamedSchema> compile = new ArrayList<>();
      root.get("compile").forEach(n -> compile.add(named(n)));
      return new BenchSchemas(named(root.get("load")), List.copyOf(compile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static NamedSchema named(JsonNode n) {
    return new NamedSchema(n.get("name").asText(), n.get("schema"));
  }
}
