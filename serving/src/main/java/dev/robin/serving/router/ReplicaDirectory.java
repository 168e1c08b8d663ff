package dev.robin.serving.router;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What each model's router on this node sees, for {@code /health} and {@code /metrics}: the replicas it routes to
 * across the cluster, their last published loads, and how many requests it routed by prefix affinity. Written by
 * the routers, read from any thread without messaging them. An actor-system extension, one per node.
 */
public final class ReplicaDirectory implements Extension {

  /**
   * One replica as a router sees it.
   *
   * @param replica its actor's path with its node's address: the same key as {@code ClusterModels.ReplicaView}'s
   * @param node the address of the node it runs on
   * @param local whether it runs on this node
   * @param loadKnown whether it has published a load yet (the figures are 0 until then)
   */
  public record RoutedReplica(
      String replica, String node, boolean local, boolean loadKnown, int numWaiting, int numRunning,
      double kvCacheUsage) {}

  /**
   * What a model's router on this node routed since the node started (counters: they only grow, across a
   * restart of the router too).
   *
   * @param routed requests sent to a replica
   * @param prefixRemembered of those, requests whose prompt prefix the router remembered sending to a replica that
   *     is still routable
   * @param prefixAffinity of those, requests sent to that remembered replica (it was the least loaded, or close to
   *     it with its KV cache not nearly full)
   */
  public record RoutingCounts(long routed, long prefixRemembered, long prefixAffinity) {}

  /** One model's routing counters, written by its router only. */
  static final class RoutingCounters {
    private final AtomicLong routed = new AtomicLong();
    private final AtomicLong prefixRemembered = new AtomicLong();
    private final AtomicLong prefixAffinity = new AtomicLong();

    void routed(boolean remembered, boolean byAffinity) {
      routed.incrementAndGet();
      if (remembered) {
        prefixRemembered.incrementAndGet();
      }
      if (byAffinity) {
        prefixAffinity.incrementAndGet();
      }
    }

    RoutingCounts snapshot() {
      // Read in the reverse order of the writes: a snapshot never has more affinity than remembered or routed.
      long affinity = prefixAffinity.get();
      long remembered = prefixRemembered.get();
      return new RoutingCounts(routed.get(), remembered, affinity);
    }
  }

  private static final Id ID = new Id();

  private final Map<String, List<RoutedReplica>> byModel = new ConcurrentHashMap<>();
  private final Map<String, RoutingCounters> countersByModel = new ConcurrentHashMap<>();

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

  RoutingCounters counters(String modelId) {
    return countersByModel.computeIfAbsent(modelId, id -> new RoutingCounters());
  }

  /** What this node's router of {@code modelId} routed; zeros when it has none (yet). */
  public RoutingCounts routing(String modelId) {
    RoutingCounters counters = countersByModel.get(modelId);
    return counters == null ? new RoutingCounts(0, 0, 0) : counters.snapshot();
  }

  private static final class Id extends ExtensionId<ReplicaDirectory> {
    @Override
    public ReplicaDirectory createExtension(ActorSystem<?> system) {
      return new ReplicaDirectory();
    }
  }
}
