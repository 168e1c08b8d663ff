package dev.robin.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.bench.cluster.CpuUsage.CoreCpu;
import dev.robin.bench.cluster.CpuUsage.ProcessCpu;
import dev.robin.bench.load.LevelSummary;
import dev.robin.bench.report.MachineInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON document of {@code bin/robin bench cluster}: the same load through one node, against through the
 * first of two nodes, each node pinned to its own core, in alternating rounds.
 *
 * @param ratios per round: two nodes' output tokens/s over one node's
 * @param medianRatio the median of {@code ratios}
 * @param goal the ratio aimed for
 */
public record ClusterBenchReport(
    String benchmark,
    MachineInfo machine,
    String command,
    String modelSpec,
    Settings settings,
    List<Run> runs,
    List<Double> ratios,
    double medianRatio,
    double goal) {

  /** How the servers were started and the load made. */
  public record Settings(
      int concurrency,
      int requests,
      int warmupRequests,
      int maxTokens,
      int promptTokens,
      String promptSizing,
      boolean ignoreEos,
      List<Integer> cpus,
      int torchThreads,
      int rounds,
      long seed,
      String serverConfig,
      List<String> serverArgs) {}

  /**
   * One variant in one round.
   *
   * @param variant {@code one node} or {@code two nodes}
   * @param loadAverage1m the machine's 1-minute load average before its servers started
   * @param measuredSeconds the time between the CPU readings around the level
   * @param nodes the nodes, the entry node (which every request went to) first
   * @param loadGenerator this benchmark's own process (not pinned)
   * @param cores each core's use during the level
   * @param otherCores cores busy with neither the nodes nor the load generator (other processes, the kernel)
   * @param entryHealth the entry node's {@code GET /v1/health} after the level
   */
  public record Run(
      int round,
      String variant,
      double loadAverage1m,
      double measuredSeconds,
      LevelSummary level,
      List<Node> nodes,
      ProcessCpu loadGenerator,
      List<CoreCpu> cores,
      double otherCores,
      JsonNode entryHealth) {}

  /** A node during the level: its pinned core, its replica's steps and its process's CPU use (null if unread). */
  public record Node(String name, int pinnedCpu, String url, StepStats steps, ProcessCpu cpu) {}

  /** Two nodes' output tokens/s over one node's, for each round that measured both. */
  public static List<Double> ratios(List<Run> runs, String oneNode, String twoNodes) {
    List<Double> ratios = new ArrayList<>();
    int rounds = runs.stream().mapToInt(Run::round).max().orElse(0);
    for (int r = 1; r <= rounds; r++) {
      Double one = tokensPerSecond(runs, r, oneNode);
      Double two = tokensPerSecond(runs, r, twoNodes);
      if (one != null && two != null && one > 0) {
        ratios.add(two / one);
      }
    }
    return ratios;
  }

  private static Double tokensPerSecond(List<Run> runs, int round, String variant) {
    return runs.stream()
        .filter(run -> run.round() == round && run.variant().equals(variant))
        .map(run -> run.level().outputTokensPerSecond())
        .findFirst().orElse(null);
  }

  /** The median (the mean of the middle two for an even count); NaN for none. */
  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
