package dev.robin.bench.cluster;

import dev.robin.bench.cluster.ProcCpu.CoreTicks;
import dev.robin.bench.cluster.ProcCpu.ProcessTicks;
import dev.robin.bench.cluster.ProcCpu.Snapshot;
import dev.robin.bench.cluster.ProcCpu.ThreadKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What two {@link ProcCpu} snapshots say about the time between them, in cores (CPU seconds per second). */
public final class CpuUsage {

  private CpuUsage() {}

  /**
   * One process's CPU use.
   *
   * @param cores all its threads
   * @param model its model replicas' threads (engine steps; PyTorch's intra-op work with one thread)
   * @param jit the JIT compiler's threads
   * @param gc the garbage collector's
   * @param other the rest: HTTP, actors, tokenization, cluster, and threads that ended meanwhile
   */
  public record ProcessCpu(double cores, double model, double jit, double gc, double other) {}

  /**
   * One core's use.
   *
   * @param busy fraction of its time running anything
   * @param steal fraction the hypervisor gave to another guest
   */
  public record CoreCpu(int cpu, double busy, double steal) {}

  public static double seconds(Snapshot before, Snapshot after) {
    return (after.nanos() - before.nanos()) / 1e9;
  }

  /** {@code pid}'s use between the snapshots; null when it is missing from either. */
  public static ProcessCpu process(Snapshot before, Snapshot after, long pid, int ticksPerSecond) {
    ProcessTicks a = before.processes().get(pid);
    ProcessTicks b = after.processes().get(pid);
    if (a == null || b == null) {
      return null;
    }
    double scale = 1.0 / ticksPerSecond / seconds(before, after);
    double model = delta(a.byKind(), b.byKind(), ThreadKind.MODEL) * scale;
    double jit = delta(a.byKind(), b.byKind(), ThreadKind.JIT) * scale;
    double gc = delta(a.byKind(), b.byKind(), ThreadKind.GC) * scale;
    double total = (b.total() - a.total()) * scale;
    return new ProcessCpu(total, model, jit, gc, Math.max(0, total - model - jit - gc));
  }

  private static long delta(Map<ThreadKind, Long> a, Map<ThreadKind, Long> b, ThreadKind kind) {
    return Math.max(0, b.getOrDefault(kind, 0L) - a.getOrDefault(kind, 0L));
  }

  /** Each core's use between the snapshots. */
  public static List<CoreCpu> cores(Snapshot before, Snapshot after) {
    List<CoreCpu> cores = new ArrayList<>();
    for (CoreTicks b : after.cores()) {
      CoreTicks a = before.cores().stream().filter(c -> c.cpu() == b.cpu()).findFirst().orElse(null);
      if (a == null) {
        continue;
      }
      long busy = b.busy() - a.busy();
      long steal = b.steal() - a.steal();
      long total = busy + steal + (b.idle() - a.idle());
      cores.add(new CoreCpu(b.cpu(), total > 0 ? (double) busy / total : 0, total > 0 ? (double) steal / total : 0));
    }
    return cores;
  }

  /** Cores busy in all, minus those the listed processes used: other processes and the kernel. */
  public static double others(List<CoreCpu> cores, List<ProcessCpu> ours) {
    double busy = cores.stream().mapToDouble(CoreCpu::busy).sum();
    double used = ours.stream().filter(p -> p != null).mapToDouble(ProcessCpu::cores).sum();
    return Math.max(0, busy - used);
  }
}
