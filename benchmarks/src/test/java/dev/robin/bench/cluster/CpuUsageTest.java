package dev.robin.bench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.robin.bench.cluster.CpuUsage.CoreCpu;
import dev.robin.bench.cluster.CpuUsage.ProcessCpu;
import dev.robin.bench.cluster.ProcCpu.CoreTicks;
import dev.robin.bench.cluster.ProcCpu.ProcessTicks;
import dev.robin.bench.cluster.ProcCpu.Snapshot;
import dev.robin.bench.cluster.ProcCpu.ThreadKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two snapshots ten seconds apart, at 100 ticks per second, turned into cores used. */
class CpuUsageTest {

  private static final long SECOND = 1_000_000_000L;

  private final Snapshot before = new Snapshot(
      5 * SECOND,
      List.of(new CoreTicks(0, 1000, 1000, 0), new CoreTicks(1, 1000, 1000, 0)),
      Map.of(11L, new ProcessTicks(500, Map.of(ThreadKind.MODEL, 300L, ThreadKind.JIT, 100L)),
          12L, new ProcessTicks(50, Map.of())));
  private final Snapshot after = new Snapshot(
      15 * SECOND,
      // cpu0: 950 busy + 50 stolen of 1000 ticks; cpu1: 400 busy, 600 idle
      List.of(new CoreTicks(0, 1950, 1000, 50), new CoreTicks(1, 1400, 1600, 0)),
      Map.of(11L, new ProcessTicks(1400, Map.of(ThreadKind.MODEL, 1000L, ThreadKind.JIT, 150L, ThreadKind.GC, 20L)),
          12L, new ProcessTicks(350, Map.of())));

  @Test
  void aProcessSplitsIntoItsThreadKindsAndTheRestIsOther() {
    ProcessCpu node = CpuUsage.process(before, after, 11, 100);
    assertEquals(0.9, node.cores(), 1e-9);
    assertEquals(0.7, node.model(), 1e-9);
    assertEquals(0.05, node.jit(), 1e-9);
    assertEquals(0.02, node.gc(), 1e-9);
    assertEquals(0.13, node.other(), 1e-9);
    assertNull(CpuUsage.process(before, after, 99, 100), "a process missing from a snapshot");
  }

  @Test
  void coresAreBusyAndStolenSharesOfTheirTicks() {
    assertEquals(List.of(new CoreCpu(0, 0.95, 0.05), new CoreCpu(1, 0.4, 0.0)), CpuUsage.cores(before, after));
  }

  @Test
  void whatNoListedProcessUsedBelongsToTheRestOfTheMachine() {
    List<CoreCpu> cores = CpuUsage.cores(before, after);
    ProcessCpu node = CpuUsage.process(before, after, 11, 100);
    ProcessCpu generator = CpuUsage.process(before, after, 12, 100);
    assertEquals(1.35 - 0.9 - 0.3, CpuUsage.others(cores, List.of(node, generator)), 1e-9);
  }
}
