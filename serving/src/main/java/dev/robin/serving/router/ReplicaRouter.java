package dev.robin.serving.router;

import dev.robin.serving.replica.ModelShard;
import dev.robin.serving.replica.ReplicaId;
import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.ModelStatsBoard;
import dev.robin.serving.replica.ModelProtocol.Cancel;
import dev.robin.serving.replica.ModelProtocol.Command;
import dev.robin.serving.replica.ModelProtocol.Generate;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The one address of a served model: it sends each {@code Generate} to the replica with the least work (as
 * the replicas last published it) and each {@code Cancel} to every replica, since a cancel is cheap and an
 * unknown id is ignored. It keeps no per-request state, so it can never leak.
 */
public final class ReplicaRouter {

  private ReplicaRouter() {}

  /** A router over replicas {@code 0 .. numReplicas-1} of {@code modelId}, reached through sharding. */
  public static Behavior<Command> create(
      String modelId, int numReplicas, ClusterSharding sharding, ModelStatsBoard board) {
    List<ReplicaId> replicas = IntStream.range(0, numReplicas).mapToObj(i -> new ReplicaId(modelId, i)).toList();
    List<EntityRef<Command>> refs = replicas.stream().map(r -> ModelShard.entityRef(sharding, r)).toList();
    return Behaviors.receive(Command.class)
        .onMessage(Generate.class, g -> {
          refs.get(leastLoaded(replicas, board)).tell(g);
          return Behaviors.same();
        })
        .onMessage(Cancel.class, c -> {
          refs.forEach(ref -> ref.tell(c));
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
