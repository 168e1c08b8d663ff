package dev.robin.bench.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where and when a benchmark ran, so that a figure is never quoted without its machine.
 *
 * @param date UTC, ISO-8601
 * @param gitCommit the checkout's commit, with {@code -dirty} when it has uncommitted changes; "unknown"
 *     outside a git checkout
 * @param cpuModel {@code model name} of /proc/cpuinfo
 * @param availableProcessors what the JVM sees (cgroup limits included)
 * @param memTotalBytes MemTotal of /proc/meminfo, -1 when unknown
 * @param maxHeapBytes the benchmark JVM's max heap (the server's may differ)
 * @param loadAverage1m the system's 1-minute load average as the benchmark started (-1 if unknown): a
 *     figure measured while other processes competed for the cores says so
 */
public record MachineInfo(
    String date,
    String gitCommit,
    String cpuModel,
    int availableProcessors,
    long memTotalBytes,
    long maxHeapBytes,
    String javaVersion,
    String javaVm,
    String os,
    @JsonProperty("load_average_1m") double loadAverage1m) {

  /** Describes this machine now; {@code repo} is the checkout whose commit is reported. */
  public static MachineInfo collect(Path repo) {
    return new MachineInfo(
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        readGitCommit(repo),
        readCpuModel(),
        Runtime.getRuntime().availableProcessors(),
        readMemTotalBytes(),
        Runtime.getRuntime().maxMemory(),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0);
  }

  /** One line for a table header or a log: "2 vCPU Intel(R) Xeon(R) Processor, 23.4 GiB, Java 17.0.15". */
  public String oneLine() {
    String mem = memTotalBytes > 0 ? String.format(" %.1f GiB,", memTotalBytes / (1024.0 * 1024 * 1024)) : "";
    return availableProcessors + " vCPU " + cpuModel + "," + mem + " Java " + javaVersion + ", commit " + gitCommit
        + (loadAverage1m >= 0 ? ", load average " + loadAverage1m : "");
  }

  private static String readCpuModel() {
    for (String line : readLines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).strip();
      }
    }
    return System.getProperty("os.arch");
  }

  private static long readMemTotalBytes() {
    for (String line : readLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        String[] parts = line.substring(9).strip().split("\\s+");
        try {
          return Long.parseLong(parts[0]) * 1024;
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  private static String readGitCommit(Path repo) {
    String commit = git(repo, "rev-parse", "--short=12", "HEAD");
    if (commit == null || commit.isEmpty()) {
      return "unknown";
    }
    String status = git(repo, "status", "--porcelain", "--untracked-files=no");
    return status != null && !status.isEmpty() ? commit + "-dirty" : commit;
  }

  private static String git(Path repo, String... args) {
    String[] cmd = new String[args.length + 3];
    cmd[0] = "git";
    cmd[1] = "-C";
    cmd[2] = repo.toString();
    System.arraycopy(args, 0, cmd, 3, args.length);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
