package dev.robin.serving.replica;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The cluster-wide topic of replica loads, one topic actor per node (an actor-system extension): replicas publish
 * their {@link ReplicaLoad} on it, and the routers of every node subscribe. Pekko's topic finds the other nodes'
 * topic actors through the receptionist, so a load reaches every node that has a subscriber.
 */
public final class ReplicaLoads implements Extension {

  private static final Id ID = new Id();
  private static final String TOPIC = "robin-replica-load";

  private final ActorRef<Topic.Command<ReplicaLoad>> topic;

  private ReplicaLoads(ActorSystem<?> system) {
    this.topic = system.systemActorOf(Topic.create(ReplicaLoad.class, TOPIC), TOPIC, Props.empty());
  }

  public static ReplicaLoads get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public void publish(ReplicaLoad load) {
    topic.tell(Topic.publish(load));
  }

  public void subscribe(ActorRef<ReplicaLoad> subscriber) {
    topic.tell(Topic.subscribe(subscriber));
  }

  private static final class Id extends ExtensionId<ReplicaLoads> {
    @Override
    public ReplicaLoads createExtension(ActorSystem<?> system) {
      return new ReplicaLoads(system);
    }
  }
}
