package dev.robin.serving.router;

import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.replica.ModelActor.Generate;
import dev.robin.serving.replica.ModelShard;
import dev.robin.serving.replica.ReplicaId;
import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.ModelStatsBoard;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The one address of a served model: it sends each {@code Generate} to the replica with the least work (as the
 * replicas last published it). The replica that accepts a request names itself in its {@code Accepted}, so a
 * cancel goes straight to it; the router keeps no per-request state and can never leak.
 */
public final class ReplicaRouter {

  private ReplicaRouter() {}

  /** A router over replicas {@code 0 .. numReplicas-1} of {@code modelId}, reached through sharding. */
  public static Behavior<Generate> create(
      String modelId, int numReplicas, ClusterSharding sharding, ModelStatsBoard board) {
    List<ReplicaId> replicas = IntStream.range(0, numReplicas).mapToObj(i -> new ReplicaId(modelId, i)).toList();
    List<EntityRef<ModelActor.Command>> refs =
        replicas.stream().map(r -> ModelShard.entityRef(sharding, r)).toList();
    return Behaviors.receive(Generate.class)
        .onMessage(Generate.class, g -> {
          refs.get(leastLoaded(replicas, board)).tell(g);
          return Behaviors.same();
        })
        .build();
  }

  /** Index of the replica with the fewest waiting + running sequences; unknown stats count as idle. */
  static int leastLoaded(List<ReplicaId> replicas, ModelStatsBoard board) {
    int best = 0;
    long bestLoad = Long.MAX_VALUE;
    for (int i = 0; i < replicas.size(); i++) {
      long load = board.get(replicas.get(i).entityId())
          .map(s -> s.status() == ModelStats.Status.READY ? (long) s.numWaiting() + s.numRunning() : Long.MAX_VALUE / 2)
          .orElse(0L);
      if (load < bestLoad) {
        best = i;
        bestLoad = load;
      }
    }
    return best;
  }
}
