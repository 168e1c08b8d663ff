package dev.robin.bench.cluster;

import dev.robin.bench.metrics.MetricsPage;
import dev.robin.bench.server.ServerProcess;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the benchmark reads before and after a level: each node's {@code /metrics}, then the CPU ticks of every
 * core, of each node's process and of the benchmark's own.
 *
 * @param metrics per node, in the order given, its parsed {@code /metrics} (empty if it did not answer)
 */
public record NodeReadings(ProcCpu.Snapshot cpu, List<Map<String, Double>> metrics) {

  public static NodeReadings take(HttpClient http, List<ServerProcess> nodes, long selfPid, String model)
      throws InterruptedException {
    List<Map<String, Double>> metrics = new ArrayList<>();
    List<Long> pids = new ArrayList<>();
    for (ServerProcess node : nodes) {
      metrics.add(MetricsPage.read(http, node.baseUrl(), model));
      pids.add(node.pid());
    }
    pids.add(selfPid);
    return new NodeReadings(ProcCpu.take(pids), metrics);
  }

  /** Node {@code node}'s replica between these readings and {@code after}, {@code seconds} apart. */
  public StepStats steps(int node, NodeReadings after, double seconds) {
    return StepStats.between(metrics.get(node), after.metrics().get(node), seconds);
  }
}
