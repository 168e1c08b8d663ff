package dev.robin.app.node;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** How a node becomes a cluster member: by the configured seed nodes, or, with none, by joining itself. */
public final class ClusterMembership {

  private ClusterMembership() {}

  /**
   * Joins this node to itself when {@code pekko.cluster.seed-nodes} is empty (a single-machine deployment);
   * with seed nodes Pekko joins them on its own.
   */
  public static void joinSelfIfNoSeeds(ActorSystem<?> system) {
    if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }
}
