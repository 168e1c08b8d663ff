package dev.robin.bench.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * CPU time as Linux counts it in {@code /proc}: per core ({@code /proc/stat}) and per process and thread
 * ({@code /proc/<pid>/stat}, {@code /proc/<pid>/task/<tid>/stat}), in clock ticks. Two snapshots around a
 * measured level say where the cores went: into a node's model replica, its JIT compiler, its garbage collector,
 * everything else in it (HTTP, actors, tokenization, cluster), the load generator, or other processes.
 */
public final class ProcCpu {

  /**
   * The model replicas' threads: Pekko names them {@code robin-robin-model-dispatcher-N}, and Linux keeps the
   * first 15 bytes of a thread's name. With more than one PyTorch thread its OpenMP workers, started by the
   * replica's thread, inherit that name.
   */
  static final String MODEL_THREAD_PREFIX = "robin-robin-mod";

  private ProcCpu() {}

  /** What a thread does, from its name. */
  public enum ThreadKind {
    MODEL,
    JIT,
    GC,
    OTHER
  }

  /** One core's ticks since boot: busy (user, nice, system, irq, softirq), idle (with iowait), stolen. */
  public record CoreTicks(int cpu, long busy, long idle, long steal) {}

  /** A process's ticks since it started (every thread, ended ones too), and its live threads' by kind. */
  public record ProcessTicks(long total, Map<ThreadKind, Long> byKind) {}

  /** Every core and the given processes at one moment ({@code nanos} from {@link System#nanoTime()}). */
  public record Snapshot(long nanos, List<CoreTicks> cores, Map<Long, ProcessTicks> processes) {}

  /** Reads the cores and {@code pids} now; a process that is gone is left out. */
  public static Snapshot take(Collection<Long> pids) {
    Map<Long, ProcessTicks> processes = new LinkedHashMap<>();
    for (long pid : pids) {
      ProcessTicks t = process(pid);
      if (t != null) {
        processes.put(pid, t);
      }
    }
    List<CoreTicks> cores = parseCores(read(Path.of("/proc/stat")));
    return new Snapshot(System.nanoTime(), cores, processes);
  }

  private static ProcessTicks process(long pid) {
    Path dir = Path.of("/proc", Long.toString(pid));
    String stat = read(dir.resolve("stat"));
    if (stat.isEmpty()) {
      return null;
    }
    Map<ThreadKind, Long> byKind = new EnumMap<>(ThreadKind.class);
    try (Stream<Path> tasks = Files.list(dir.resolve("task"))) {
      for (Path task : tasks.toList()) {
        String line = read(task.resolve("stat"));
        if (!line.isEmpty()) {
          byKind.merge(kind(comm(line)), ticks(line), Long::sum);
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process ended while being read: its total is enough.
    }
    return new ProcessTicks(ticks(stat), byKind);
  }

  /** The per-core lines ({@code cpuN …}) of {@code /proc/stat}. */
  static List<CoreTicks> parseCores(String procStat) {
    List<CoreTicks> cores = new ArrayList<>();
    for (String line : procStat.split("\n")) {
      if (!line.startsWith("cpu") || line.startsWith("cpu ")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      long[] v = new long[8];
      for (int i = 0; i < v.length && i + 1 < f.length; i++) {
        v[i] = Long.parseLong(f[i + 1]);
      }
      // user nice system idle iowait irq softirq steal (guest time is already inside user)
      cores.add(new CoreTicks(
          Integer.parseInt(f[0].substring(3)), v[0] + v[1] + v[2] + v[5] + v[6], v[3] + v[4], v[7]));
    }
    return cores;
  }

  /** utime + stime of a {@code stat} line: fields 14 and 15, counted after the command name's parenthesis. */
  static long ticks(String statLine) {
    String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split("\\s+");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** The thread or command name of a {@code stat} line (it may hold spaces and parentheses). */
  static String comm(String statLine) {
    return statLine.substring(statLine.indexOf('(') + 1, statLine.lastIndexOf(')'));
  }

  static ThreadKind kind(String comm) {
    if (comm.startsWith(MODEL_THREAD_PREFIX)) {
      return ThreadKind.MODEL;
    }
    if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
      return ThreadKind.JIT;
    }
    // The serial collector (the JVM's choice on one core) collects in the VM thread; the others in GC threads.
    if (comm.equals("VM Thread") || comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
      return ThreadKind.GC;
    }
    return ThreadKind.OTHER;
  }

  /** Clock ticks per second ({@code getconf CLK_TCK}), 100 when that cannot be asked. */
  public static int ticksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return Integer.parseInt(out);
      }
    } catch (IOException | NumberFormatException e) {
      // fall through
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
