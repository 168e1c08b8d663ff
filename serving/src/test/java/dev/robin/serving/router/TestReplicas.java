package dev.robin.serving.router;

import dev.robin.engine.core.EngineCore;
import dev.robin.engine.sampling.Samplers;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.testkit.FakeRunner;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.replica.ModelCard;
import dev.robin.serving.replica.ReplicaId;
import dev.robin.serving.stats.ModelStatsBoard;
import java.time.Duration;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;

/** Replicas for the router tests: a real model actor and engine over the test kit's fake runner. */
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
}
