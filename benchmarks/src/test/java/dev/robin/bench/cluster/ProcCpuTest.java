package dev.robin.bench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.robin.bench.cluster.ProcCpu.CoreTicks;
import dev.robin.bench.cluster.ProcCpu.ThreadKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading Linux's CPU counters: /proc/stat's cores and a process's or thread's stat line. */
class ProcCpuTest {

  @Test
  void coresCountUserNiceSystemIrqAndSoftirqAsBusyAndStealApart() {
    String stat = """
        cpu  900 10 300 5000 20 0 5 7 0 0
        cpu0 500 10 200 2000 10 0 5 3 0 0
        cpu1 400 0 100 3000 10 0 0 4 0 0
        intr 12345
        """;
    assertEquals(
        List.of(new CoreTicks(0, 715, 2010, 3), new CoreTicks(1, 500, 3010, 4)), ProcCpu.parseCores(stat));
  }

  @Test
  void ticksAreUtimePlusStimeEvenWhenTheNameHoldsSpacesAndParentheses() {
    String line = "4242 (C2 CompilerThre) S 1 4242 4242 0 -1 4194368 100 0 0 0 1234 56 0 0 20 0 30 0 100 0 0";
    assertEquals(1290, ProcCpu.ticks(line));
    assertEquals("C2 CompilerThre", ProcCpu.comm(line));
    String odd = "7 (a) b (c)) R 1 7 7 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 0 0 0";
    assertEquals(30, ProcCpu.ticks(odd));
    assertEquals("a) b (c)", ProcCpu.comm(odd));
  }

  @Test
  void threadsAreSortedByWhatTheirNamesSayTheyDo() {
    assertEquals(ThreadKind.MODEL, ProcCpu.kind("robin-robin-mod"));
    assertEquals(ThreadKind.JIT, ProcCpu.kind("C2 CompilerThre"));
    assertEquals(ThreadKind.JIT, ProcCpu.kind("C1 CompilerThre"));
    assertEquals(ThreadKind.GC, ProcCpu.kind("VM Thread"));
    assertEquals(ThreadKind.GC, ProcCpu.kind("GC Thread#0"));
    assertEquals(ThreadKind.OTHER, ProcCpu.kind("robin-pekko.act"));
    assertEquals(ThreadKind.OTHER, ProcCpu.kind("java"));
  }
}
