package dev.robin.api.health;

import dev.robin.serving.catalog.ClusterModels;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.json.Json;
import dev.robin.api.model.ModelRegistry;
import dev.robin.api.model.ServedModel;
import dev.robin.serving.stats.ModelStats;
import dev.robin.api.config.RobinVersion;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code GET /health}: built from the registry and the models' published statistics only, so it answers in
 * microseconds however busy the models are. 200 while at least one model serves, 503 otherwise.
 */
public final class HealthReport {

  /** The overall state the contract names. */
  public enum Status {
    OK,
    DEGRADED,
    LOADING
  }

  /** A status code and the JSON body. */
  public record Result(int httpStatus, ObjectNode body) {}

  private final ModelRegistry registry;
  private final long startMillis;
  private final Supplier<ObjectNode> cluster;
  private final Function<String, List<ClusterModels.ReplicaView>> clusterReplicas;
  private final Function<String, Set<String>> routedReplicas;

  /** {@code cluster} returns the cluster section, or null when not clustered. */
  public HealthReport(ModelRegistry registry, long startMillis, Supplier<ObjectNode> cluster) {
    this(registry, startMillis, cluster, modelId -> List.of(), modelId -> Set.of());
  }

  /**
   * As above; {@code clusterReplicas} lists a model's replicas across the cluster (the node's catalog), and
   * {@code routedReplicas} the paths of those this node's router sends requests to.
   */
  public HealthReport(
      ModelRegistry registry, long startMillis, Supplier<ObjectNode> cluster,
      Function<String, List<ClusterModels.ReplicaView>> clusterReplicas,
      Function<String, Set<String>> routedReplicas) {
    this.registry = registry;
    this.startMillis = startMillis;
    this.cluster = cluster;
    this.clusterReplicas = clusterReplicas;
    this.routedReplicas = routedReplicas;
  }

  public Result build() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    int numReady = 0;
    int numLoading = 0;
    int numModels = 0;
    ArrayNode models = Json.MAPPER.createArrayNode();
    for (ServedModel m : registry.all()) {
      ModelStats s = m.currentStats();
      numModels++;
      if (s.status() == ModelStats.Status.READY) {
        numReady++;
      } else if (s.status() == ModelStats.Status.LOADING) {
        numLoading++;
      }
      ObjectNode node = models.addObject();
      node.put("id", m.id());
      node.put("status", s.status().name().toLowerCase(Locale.ROOT));
      node.put("replicas", m.replicas());
      node.put("device", s.device());
      node.put("projections", s.kernel());
      node.put("queue_depth", s.numWaiting());
      node.put("running", s.numRunning());
      node.put("kv_cache_usage", round(s.kvCacheUsage()));
      node.put("tokens_per_second_1m", round(s.tokensPerSecond1m()));
      node.put("requests_total", s.numRequestsTotal());
      List<ClusterModels.ReplicaView> inCluster = clusterReplicas.apply(m.id());
      if (!inCluster.isEmpty()) {
        Set<String> routed = routedReplicas.apply(m.id());
        ArrayNode list = node.putArray("cluster_replicas");
        for (ClusterModels.ReplicaView r : inCluster) {
          ObjectNode replica = list.addObject();
          replica.put("replica", r.replica().replica());
          replica.put("node", r.node());
          replica.put("local", r.local());
          replica.put("routed", routed.contains(r.path()));
          replica.put("device", r.device());
          replica.put("status", r.status().name().toLowerCase(Locale.ROOT));
          replica.put("queue_depth", r.numWaiting());
          replica.put("running", r.numRunning());
          replica.put("kv_cache_usage", round(r.kvCacheUsage()));
        }
      }
    }
    for (ModelRegistry.Pending p : registry.pending()) {
      numModels++;
      if (p.state() == ModelRegistry.PendingState.LOADING) {
        numLoading++;
      }
      ObjectNode node = models.addObject();
      node.put("id", p.id());
      node.put("status", p.state().name().toLowerCase(Locale.ROOT));
      node.put("replicas", 0);
      node.putNull("device");
      node.putNull("projections");
      node.put("queue_depth", 0);
      node.put("running", 0);
      node.put("kv_cache_usage", 0.0);
      node.put("tokens_per_second_1m", 0.0);
      node.put("requests_total", 0);
      if (p.state() == ModelRegistry.PendingState.FAILED) {
        node.put("error", p.message());
      }
    }
    Status status;
    if (numReady > 0 && numReady == numModels) {
      status = Status.OK;
    } else if (numReady > 0) {
      status = Status.DEGRADED;
    } else {
      status = numLoading > 0 || numModels == 0 ? Status.LOADING : Status.DEGRADED;
    }
    root.put("status", status.name().toLowerCase(Locale.ROOT));
    root.put("version", RobinVersion.VERSION);
    root.put("uptime_seconds", (System.currentTimeMillis() - startMillis) / 1000);
    root.set("models", models);
    root.set("system", system());
    ObjectNode clusterNode = cluster.get();
    if (clusterNode != null) {
      root.set("cluster", clusterNode);
    }
    return new Result(numReady > 0 ? 200 : 503, root);
  }

  private static ObjectNode system() {
    ObjectNode node = Json.MAPPER.createObjectNode();
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    double cpu = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getCpuLoad() : -1;
    if (cpu < 0) {
      cpu = Math.max(0, os.getSystemLoadAverage()) / os.getAvailableProcessors();
    }
    node.put("cpu_load", round(cpu));
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    node.put("heap_used_bytes", heap.getUsed());
    node.put("heap_max_bytes", heap.getMax());
    node.put("available_processors", Runtime.getRuntime().availableProcessors());
    return node;
  }

  private static double round(double v) {
    return Math.round(v * 10000.0) / 10000.0;
  }
}
