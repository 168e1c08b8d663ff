package dev.robin.app.launch;

import com.typesafe.config.Config;
import dev.robin.api.model.ServedModel;
import dev.robin.engine.load.LoadedModel;
import dev.robin.serving.config.EngineSettings;
import dev.robin.serving.node.ServingNode;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.replica.ModelShard;
import dev.robin.serving.replica.ReplicaId;
import dev.robin.serving.router.ReplicaRouter;
import dev.robin.serving.stats.ModelStats;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Serves a model as Cluster Sharding entities, one per replica ({@link ModelShard}), behind a
 * {@link ReplicaRouter}. The text side (tokenizer, chat template) is opened off the actor threads; each replica
 * loads its weights on its own pinned thread when its entity starts, and the model is handed to the HTTP layer
 * once every replica answers {@code Ready} (or fails with the first replica's {@code LoadFailed}).
 */
public final class ModelLauncher {

  /** Completes with the served model once it can take requests; fails with a message fit for an operator. */
  public CompletionStage<ServedModel> launch(ActorSystem<?> system, ModelSpec spec, Config config) {
    EngineSettings settings;
    ServingNode node;
    try {
      settings = EngineSettings.from(config);
      node = ServingNode.get(system);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture
        .supplyAsync(() -> LoadedModel.open(spec.id(), spec.path(), settings.options()), ModelLauncher::loaderThread)
        .thenCompose(loaded -> {
          system.getWhenTerminated().thenRun(loaded::close);
          node.register(loaded);
          return startReplicas(system, node, loaded, settings);
        });
  }

  private static CompletionStage<ServedModel> startReplicas(
      ActorSystem<?> system, ServingNode node, LoadedModel loaded, EngineSettings settings) {
    String id = loaded.id();
    int replicas = settings.replicas();
    ClusterSharding sharding = ClusterSharding.get(system);
    List<ReplicaId> ids = IntStream.range(0, replicas).mapToObj(i -> new ReplicaId(id, i)).toList();
    // A replica starts on its first message; WhenReady starts it and answers once it has loaded (or failed).
    List<CompletableFuture<ModelActor.Readiness>> readiness = ids.stream()
        .map(r -> ModelShard.entityRef(sharding, r)
            .<ModelActor.Readiness>ask(ModelActor.WhenReady::new, settings.loadTimeout())
            .toCompletableFuture())
        .toList();
    ActorRef<ModelActor.Generate> router = system.systemActorOf(
        ReplicaRouter.create(id, replicas, sharding, node.board()),
        "model-" + URLEncoder.encode(id, StandardCharsets.UTF_8),
        Props.empty());
    ServedModel served = new ServedModel(
        id,
        Instant.now().getEpochSecond(),
        "robin",
        loaded.maxModelLen(),
        replicas,
        loaded.tokenizer(),
        loaded.chatTemplate(),
        router,
        () -> node.board().summary(id).orElse(ModelStats.loading(id, node.device())));
    return CompletableFuture.allOf(readiness.toArray(CompletableFuture[]::new))
        .handle((ignored, failure) -> {
          if (failure != null) {
            throw new IllegalStateException(
                "model did not load within robin.engine.load-timeout (" + settings.loadTimeout() + ")");
          }
          for (CompletableFuture<ModelActor.Readiness> r : readiness) {
            if (r.join() instanceof ModelActor.LoadFailed failed) {
              throw new IllegalStateException("replica " + failed.replica() + " failed: " + failed.reason());
            }
          }
          return served;
        });
  }

  private static void loaderThread(Runnable task) {
    Thread t = new Thread(task, "robin-model-loader");
    t.setDaemon(true);
    t.start();
  }
}
