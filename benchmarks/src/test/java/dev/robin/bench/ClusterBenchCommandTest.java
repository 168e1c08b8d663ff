package dev.robin.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.bench.cluster.ClusterBenchReport;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The cluster benchmark's options, defaults and summary, without starting a node. */
class ClusterBenchCommandTest {

  private static ClusterBenchCommand parse(String... args) {
    ClusterBenchCommand command = new ClusterBenchCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void defaultsAreConcurrencySixteenWithThreeWavesMeasuredAfterOneOfWarmUp() {
    ClusterBenchCommand c = parse();
    c.validate();
    assertEquals(16, c.concurrency);
    assertEquals(48, c.requests());
    assertEquals(16, c.warmup());
    assertEquals(List.of(0, 1), c.cpus);
    assertEquals(1, c.torchThreads);
    assertEquals(2, c.rounds);
    assertEquals("synthetic:llama-75m", c.server.modelSpec);
    assertEquals("robin.rate-limits.enabled = false", c.server.serverConfig);
  }

  @Test
  void badOptionsAreRefusedBeforeAnythingStarts() {
    for (String[] args : List.of(
        new String[] {"--cpus", "0,0"}, new String[] {"--cpus", "0"}, new String[] {"--cpus", "0,1,2"},
        new String[] {"--rounds", "0"}, new String[] {"--concurrency", "0"}, new String[] {"--requests", "0"},
        new String[] {"--warmup", "-1"}, new String[] {"--torch-threads", "0"}, new String[] {"--max-tokens", "0"})) {
      ClusterBenchCommand c = parse(args);
      assertThrows(ParameterException.class, c::validate, String.join(" ", args));
    }
  }

  @Test
  void isASubcommandOfBench() {
    assertTrue(new CommandLine(new BenchCommand()).getSubcommands().containsKey("cluster"));
  }

  @Test
  void theEntryNodesRouterReplicasAreReadFromItsHealth() throws Exception {
    var health = new ObjectMapper().readTree("""
        {"models":[{"id":"other","cluster_replicas":[{},{},{}]},
                   {"id":"bench","cluster_replicas":[{"node":"a","local":true},{"node":"b","local":false}]}]}
        """);
    assertEquals(2, ClusterBenchCommand.routedReplicas(health));
    assertEquals(0, ClusterBenchCommand.routedReplicas(new ObjectMapper().readTree("{\"models\":[{\"id\":\"bench\"}]}")));
    assertEquals(0, ClusterBenchCommand.routedReplicas(null));
  }

  @Test
  void theRatioLineNamesEachRoundTheMedianAndTheGoal() {
    ClusterBenchReport r = new ClusterBenchReport(
        "cluster-scaling", null, "cmd", "synthetic:tiny", null, List.of(), List.of(1.5, 1.7), 1.6, 1.8);
    assertEquals("Two nodes / one node, output tokens/s: round 1 1.50×, round 2 1.70×; median 1.60× (goal ≥ 1.8×).\n",
        ClusterBenchCommand.ratioLine(r));
  }
}
