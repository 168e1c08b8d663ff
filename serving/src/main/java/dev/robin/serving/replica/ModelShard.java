package dev.robin.serving.replica;

import dev.robin.serving.stats.ModelStatsBoard;
import dev.robin.serving.replica.ModelActor.Command;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Model replicas as Cluster Sharding entities: one entity per replica, entity id
 * {@code <modelId>#<replica>} (see {@link ReplicaId}). Entities are never passivated (a replica holds
 * loaded weights and a KV cache) and run on the pinned {@link ModelActor#DISPATCHER}.
 *
 * <p>Messages are local only for now (they have no serializer): run a single-node cluster, or one where the
 * requester and the replica share a node.
 */
public final class ModelShard {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Model");

  private ModelShard() {}

  /** Registers the model entity type with sharding; call once per node at startup. */
  public static ActorRef<ShardingEnvelope<Command>> init(
      ActorSystem<?> system, String device, ModelEngineFactory factory, ModelStatsBoard board) {
    ClusterShardingSettings settings = ClusterShardingSettings.create(system).withNoPassivationStrategy();
    return ClusterSharding.get(system)
        .init(
            Entity.of(TYPE_KEY, context -> behavior(context.getEntityId(), device, factory, board))
                .withEntityProps(ModelActor.PROPS)
                .withStopMessage(ModelActor.STOP)
                .withSettings(settings));
  }

  /** The replica's entity, to tell it {@code Generate} and {@code WhenReady}. */
  public static EntityRef<Command> entityRef(ClusterSharding sharding, ReplicaId replica) {
    return sharding.entityRefFor(TYPE_KEY, replica.entityId());
  }

  private static Behavior<Command> behavior(
      String entityId, String device, ModelEngineFactory factory, ModelStatsBoard board) {
    ReplicaId replica;
    try {
      replica = ReplicaId.parse(entityId);
    } catch (IllegalArgumentException e) {
      // A mistyped entity id must not crash the shard: it becomes a replica that refuses everything.
      return ModelActor.failed(new ReplicaId(entityId, 0), device, board, e.getMessage());
    }
    return ModelActor.create(replica, device, factory, board);
  }
}
