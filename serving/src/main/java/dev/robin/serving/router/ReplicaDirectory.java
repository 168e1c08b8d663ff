package dev.robin.serving.router;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What each model's router on this node sees, for {@code /health}: the replicas it routes to across the cluster
 * and their last published loads. Written by the routers after every change, read from any thread without
 * messaging them. An actor-system extension, one per node.
 */
public final class ReplicaDirectory implements Extension {

  /**
   * One replica as a router sees it.
   *
   * @param node the address of the node it runs on
   * @param local whether it runs on this node
   * @param loadKnown whether it has published a load yet (the figures are 0 until then)
   */
  public record RoutedReplica(
      String node, boolean local, boolean loadKnown, int numWaiting, int numRunning, double kvCacheUsage) {}

  private static final Id ID = new Id();

  private final Map<String, List<RoutedReplica>> byModel = new ConcurrentHashMap<>();

  public static ReplicaDirectory get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  void publish(String modelId, List<RoutedReplica> replicas) {
    byModel.put(modelId, List.copyOf(replicas));
  }

  /** The replicas this node's router of {@code modelId} routes to; empty when it has none (or no router). */
  public List<RoutedReplica> replicas(String modelId) {
    return byModel.getOrDefault(modelId, List.of());
  }

  private static final class Id extends ExtensionId<ReplicaDirectory> {
    @Override
    public ReplicaDirectory createExtension(ActorSystem<?> system) {
      return new ReplicaDirectory();
    }
  }
}
