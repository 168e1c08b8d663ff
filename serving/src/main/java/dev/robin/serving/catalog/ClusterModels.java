package dev.robin.serving.catalog;

import dev.robin.serving.replica.ReplicaId;
import dev.robin.serving.stats.ModelStats;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Every model replica in the cluster as this node last heard of it, for {@code /health} and {@code /v1/models}:
 * written by the node's {@link ModelCatalog}, read from any thread without messaging it. Replicas on unreachable
 * or departed nodes, and replicas that stopped, are left out. An actor-system extension, one per node.
 */
public final class ClusterModels implements Extension {

  /**
   * One replica.
   *
   * @param replica which replica of which model
   * @param path its actor's path with its node's address (what routers list it by)
   * @param node the address of the node it runs on
   * @param local whether that is this node
   * @param device the DJL device it runs on
   * @param status whether it serves
   */
  public record ReplicaView(
      ReplicaId replica, String path, String node, boolean local, String device, ModelStats.Status status, int numWaiting,
      int numRunning, double kvCacheUsage) {}

  /** How many replicas of a model are in each state. */
  public record Counts(int ready, int loading, int failed) {

    /**
     * The model's state as one word: ready if any replica serves; failed if every known replica failed; else
     * loading (including while no replica is known: one may be starting, or the node is still joining).
     */
    public ModelStats.Status status() {
      if (ready > 0) {
        return ModelStats.Status.READY;
      }
      return failed > 0 && loading == 0 ? ModelStats.Status.FAILED : ModelStats.Status.LOADING;
    }
  }

  private static final Id ID = new Id();

  private volatile Map<String, List<ReplicaView>> byModel = Map.of();

  public static ClusterModels get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  void publish(Map<String, List<ReplicaView>> replicasByModel) {
    byModel = Map.copyOf(replicasByModel);
  }

  /** The replicas of {@code modelId} across the cluster, ordered by node and replica number. */
  public List<ReplicaView> replicas(String modelId) {
    return byModel.getOrDefault(modelId, List.of());
  }

  /** The models some replica in the cluster serves, loads or failed to load. */
  public Set<String> modelIds() {
    return byModel.keySet();
  }

  public Counts counts(String modelId) {
    int ready = 0;
    int loading = 0;
    int failed = 0;
    for (ReplicaView r : replicas(modelId)) {
      switch (r.status()) {
        case READY -> ready++;
        case LOADING -> loading++;
        case FAILED -> failed++;
        default -> { }
      }
    }
    return new Counts(ready, loading, failed);
  }

  private static final class Id extends ExtensionId<ClusterModels> {
    @Override
    public ClusterModels createExtension(ActorSystem<?> system) {
      return new ClusterModels();
    }
  }
}
