package dev.robin.bench.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/**
 * What the cluster benchmark needs of the machine before it starts anything: {@code taskset} to pin each node,
 * and one core per node that this process may use.
 */
public final class Preflight {

  private Preflight() {}

  /**
   * The {@code taskset} executable on {@code path} (the {@code PATH} variable's value).
   *
   * @throws IllegalStateException when there is none
   */
  public static Path taskset(String path) {
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "taskset"))) {
          return Path.of(dir, "taskset");
        }
      }
    }
    throw new IllegalStateException(
        "taskset is not on the PATH: it pins each node to its core (it is in util-linux, e.g. "
            + "`apt-get install util-linux`)");
  }

  /**
   * Checks that {@code cpus} (one per node) are distinct and among the {@code allowed} ones.
   *
   * @param allowed the CPU ids this process may run on
   * @throws IllegalStateException with what is missing
   */
  public static void requireCores(List<Integer> cpus, TreeSet<Integer> allowed) {
    if (allowed.size() < 2) {
      throw new IllegalStateException(
          "this benchmark pins two nodes to a core each, but this machine gives it " + allowed.size()
              + " core (CPUs " + allowed + "); run it on a machine with at least 2");
    }
    if (cpus.size() != 2 || cpus.get(0).equals(cpus.get(1))) {
      throw new IllegalStateException("--cpus must name two different CPUs, e.g. 0,1; got " + cpus);
    }
    for (int cpu : cpus) {
      if (!allowed.contains(cpu)) {
        throw new IllegalStateException(
            "CPU " + cpu + " is not one this process may run on (allowed: " + allowed + "); choose --cpus among them");
      }
    }
  }

  /** The CPUs this process may run on, from {@code Cpus_allowed_list} of {@code /proc/self/status}. */
  public static TreeSet<Integer> allowedCpus() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("Cpus_allowed_list:")) {
          return parseCpuList(line.substring(line.indexOf(':') + 1));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: fall back on the count below
    }
    TreeSet<Integer> all = new TreeSet<>();
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      all.add(i);
    }
    return all;
  }

  /** A Linux CPU list such as {@code 0-3,6,8-9}. */
  static TreeSet<Integer> parseCpuList(String list) {
    TreeSet<Integer> cpus = new TreeSet<>();
    for (String part : list.strip().split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int dash = part.indexOf('-');
      int from = Integer.parseInt(part.substring(0, dash < 0 ? part.length() : dash).strip());
      int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).strip());
      for (int c = from; c <= to; c++) {
        cpus.add(c);
      }
    }
    return cpus;
  }
}
