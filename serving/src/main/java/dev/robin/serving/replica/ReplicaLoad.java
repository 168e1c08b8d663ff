package dev.robin.serving.replica;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * A replica's load as it last published it cluster-wide: what a router on any node weighs when it picks a
 * replica.
 *
 * @param replica the replica itself (its address names its node)
 * @param modelId the model it serves
 * @param numWaiting requests queued, not yet computing
 * @param numRunning sequences in its running batch
 * @param kvCacheUsage share of its KV blocks held by sequences (0..1)
 */
public record ReplicaLoad(
    ActorRef<ModelActor.Command> replica, String modelId, int numWaiting, int numRunning, double kvCacheUsage)
    implements ReplicaMessage {

  /** Requests the replica holds: the router's measure of its work. */
  public int numRequests() {
    return numWaiting + numRunning;
  }
}
