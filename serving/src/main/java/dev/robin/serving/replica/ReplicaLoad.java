package dev.robin.serving.replica;

import dev.robin.serving.stats.ModelStats;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A replica's state and load as it last published them cluster-wide: what a router on any node weighs when it
 * picks a replica, and what every node's {@code /health} and {@code /v1/models} show of it. A replica publishes
 * once while it loads, at least every second while it serves (or failed), and once as it stops.
 *
 * @param replica the replica itself (its address names its node)
 * @param id which replica of which model
 * @param device the DJL device it runs on
 * @param status whether it serves
 * @param numWaiting requests queued, not yet computing
 * @param numRunning sequences in its running batch
 * @param kvCacheUsage share of its KV blocks held by sequences (0..1)
 */
public record ReplicaLoad(
    ActorRef<ModelActor.Command> replica,
    ReplicaId id,
    String device,
    ModelStats.Status status,
    int numWaiting,
    int numRunning,
    double kvCacheUsage)
    implements ReplicaMessage {

  /** The model it serves. */
  public String modelId() {
    return id.modelId();
  }

  /** Requests the replica holds: the router's measure of its work. */
  public int numRequests() {
    return numWaiting + numRunning;
  }

  /** A replica with no engine (loading, failed, stopping): its status alone. */
  public static ReplicaLoad withoutEngine(
      ActorRef<ModelActor.Command> replica, ReplicaId id, String device, ModelStats.Status status) {
    return new ReplicaLoad(replica, id, device, status, 0, 0, 0.0);
  }
}
