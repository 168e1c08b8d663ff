package dev.robin.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.bench.load.LevelSummary;
import dev.robin.bench.load.RequestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON field names are what scripts read: snake_case, as documented in docs/benchmarks.md. */
class ReportWriterTest {

  record Doc(MachineInfo machine, List<LevelSummary> levels) {}

  @Test
  void writesSnakeCaseJsonWithMachineAndLevels(@TempDir Path dir) throws Exception {
    MachineInfo m = MachineInfo.collect(dir);
    LevelSummary level = LevelSummary.of(
        2, List.of(new RequestResult(0, 5_000_000, 25_000_000, new long[] {20_000_000}, 2, 2, 4, 0, "length", null)),
        1_000_000_000L);
    Path file = dir.resolve("sub/out.json");
    ReportWriter.write(new Doc(m, List.of(level)), file);

    JsonNode root = new ObjectMapper().readTree(Files.readString(file));
    JsonNode machine = root.get("machine");
    for (String field : List.of("date", "git_commit", "cpu_model", "available_processors", "mem_total_bytes",
        "max_heap_bytes", "java_version", "java_vm", "os", "load_average_1m")) {
      assertTrue(machine.has(field), "machine." + field + " in " + machine);
    }
    assertEquals("unknown", machine.get("git_commit").asText(), "a temp dir is no git checkout");
    assertEquals(Runtime.getRuntime().availableProcessors(), machine.get("available_processors").asInt());
    JsonNode l = root.get("levels").get(0);
    assertEquals(2, l.get("concurrency").asInt());
    assertEquals(2.0, l.get("output_tokens_per_second").asDouble(), 1e-9);
    assertEquals(5.0, l.get("ttft_ms").get("p50").asDouble(), 0.01);
    assertEquals(20.0, l.get("itl_ms").get("p99").asDouble(), 0.02);
    assertTrue(l.has("first_error"));
  }
}
