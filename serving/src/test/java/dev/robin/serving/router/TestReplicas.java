package dev.robin.serving.router;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.core.EngineCore;
import dev.robin.engine.sampling.Samplers;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.testkit.FakeRunner;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.replica.ModelCard;
import dev.robin.serving.replica.ReplicaId;
import dev.robin.serving.replica.ReplicaLoad;
import dev.robin.serving.replica.ReplicaLoads;
import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.ModelStatsBoard;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Replicas for the router tests: a real model actor and engine over the test kit's fake runner; or stand-ins that
 * only report what the router sent them, with loads published for them on the real topic.
 */
final class TestReplicas {

  private static final int VOCAB = 100;

  private TestReplicas() {}

  /** Replica {@code index} of {@code modelId} on {@code node}, taking {@code stepMillis} per step. */
  static ActorRef<ModelActor.Command> spawn(ActorTestKit node, String modelId, int index, long stepMillis) {
    return spawn(node, modelId, index, stepMillis, ModelCard.withoutText(modelId, 1024));
  }

  /** As above, describing its model with {@code card}. */
  static ActorRef<ModelActor.Command> spawn(
      ActorTestKit node, String modelId, int index, long stepMillis, ModelCard card) {
    FakeRunner runner = FakeRunner.builder().numBlocks(256).vocabSize(VOCAB)
        .stepDelay(Duration.ofMillis(stepMillis)).nextToken(c -> 5 + c.length % 50).build();
    SchedulerConfig config = SchedulerConfig.defaults(1024, Set.of(0));
    return node.spawn(
        ModelActor.create(new ReplicaId(modelId, index), "cpu()",
            r -> new EngineCore(config, runner, params -> Samplers.create(params, VOCAB)), new ModelStatsBoard(),
            card),
        "replica-" + modelId + "-" + index,
        ModelActor.PROPS);
  }

  /** A request that reached stand-in replica {@code replica}. */
  record Routed(String replica, String requestId) implements NoSerializationVerificationNeeded {}

  /** A stand-in replica named {@code name}: tells {@code inbox} each request it gets, answers nothing. */
  static ActorRef<ModelActor.Command> standIn(ActorTestKit node, String name, ActorRef<Routed> inbox) {
    return node.spawn(Behaviors.<ModelActor.Command>receiveMessage(command -> {
      if (command instanceof ModelActor.Generate generate) {
        inbox.tell(new Routed(name, generate.request().id()));
      }
      return Behaviors.same();
    }), "stand-in-" + name + "-" + System.nanoTime());
  }

  /**
   * Publishes loads of a model's replicas on the cluster-wide topic, as the replicas would, and waits until the
   * model's router took each (its directory view shows the figures). Each publication must differ from every
   * earlier one of the model (vary the KV use), or its being shown would not prove the router took it.
   */
  static final class Loads {
    private final ActorTestKit node;
    private final String modelId;
    private final Set<List<Object>> published = new HashSet<>();

    /** Waits until the model's router routes to {@code numReplicas} replicas: it listens for loads from then on. */
    Loads(ActorTestKit node, String modelId, int numReplicas) {
      this.node = node;
      this.modelId = modelId;
      eventually(Duration.ofSeconds(10),
          () -> assertEquals(numReplicas, ReplicaDirectory.get(node.system()).replicas(modelId).size()));
    }

    void publish(ActorRef<ModelActor.Command> replica, int waiting, int running, double kvCacheUsage) {
      assertTrue(published.add(List.of(waiting, running, kvCacheUsage)),
          "the test publishes the same figures twice: " + List.of(waiting, running, kvCacheUsage));
      ReplicaLoads.get(node.system()).publish(new ReplicaLoad(
          replica, new ReplicaId(modelId, 0), "cpu()", ModelStats.Status.READY, waiting, running, kvCacheUsage));
      eventually(Duration.ofSeconds(10), () -> assertTrue(
          ReplicaDirectory.get(node.system()).replicas(modelId).stream().anyMatch(r -> r.loadKnown()
              && r.numWaiting() == waiting && r.numRunning() == running && r.kvCacheUsage() == kvCacheUsage),
          () -> "the router has not taken the load yet: " + ReplicaDirectory.get(node.system()).replicas(modelId)));
    }
  }
}
