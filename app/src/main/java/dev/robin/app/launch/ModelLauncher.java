package dev.robin.app.launch;

import dev.robin.api.model.ServedModel;
import dev.robin.engine.load.LoadedModel;
import dev.robin.engine.load.ModelText;
import dev.robin.serving.config.EngineSettings;
import dev.robin.serving.node.ServingNode;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.replica.ReplicaId;
import dev.robin.serving.catalog.ClusterModels;
import dev.robin.serving.catalog.ModelCatalog;
import dev.robin.serving.replica.ModelCard;
import dev.robin.serving.router.ReplicaRouter;
import dev.robin.serving.stats.ModelStats;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Serves a model from this node: starts its replicas here (each on its own pinned thread, where it stays), and a
 * {@link ReplicaRouter} that sends requests to the model's least-loaded replica anywhere in the cluster (or to one
 * nearly as little loaded that likely caches the prompt's prefix). The text side (tokenizer, chat template) is
 * opened off the actor threads; the model is handed to the HTTP layer once every local replica answers
 * {@code Ready} (or fails with the first replica's {@code LoadFailed}).
 */
public final class ModelLauncher {

  /** Completes with the served model once it can take requests; fails with a message fit for an operator. */
  public CompletionStage<ServedModel> launch(ActorSystem<?> system, ModelSpec spec) {
    ServingNode node;
    try {
      node = ServingNode.get(system); // reads robin.engine from the system's configuration, once per node
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    EngineSettings settings = node.settings();
    return CompletableFuture
        .supplyAsync(() -> LoadedModel.open(spec.id(), spec.path(), settings.options()), ModelLauncher::loaderThread)
        .thenCompose(loaded -> {
          system.getWhenTerminated().thenRun(loaded::close);
          node.register(loaded);
          return startReplicas(system, node, loaded, spec, settings);
        });
  }

  private static CompletionStage<ServedModel> startReplicas(
      ActorSystem<?> system, ServingNode node, LoadedModel loaded, ModelSpec spec, EngineSettings settings) {
    String id = loaded.id();
    int replicas = spec.devices().size();
    List<ActorRef<ModelActor.Command>> started = IntStream.range(0, replicas)
        .mapToObj(i -> node.startReplica(new ReplicaId(id, i), spec.devices().get(i)))
        .toList();
    // WhenReady waits in a replica's mailbox while it loads, and is answered once it has loaded (or failed).
    List<CompletableFuture<ModelActor.Readiness>> readiness = started.stream()
        .map(replica -> AskPattern.<ModelActor.Command, ModelActor.Readiness>ask(
                replica, ModelActor.WhenReady::new, settings.loadTimeout(), system.scheduler())
            .toCompletableFuture())
        .toList();
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
          ActorRef<ModelActor.Generate> router = startRouter(system, id, started);
          return new ServedModel(
              id,
              Instant.now().getEpochSecond(),
              "robin",
              loaded.maxModelLen(),
              replicas,
              loaded.tokenizer(),
              loaded.chatTemplate(),
              router,
              localOrClusterStats(system, id, node));
        });
  }

  /**
   * Serves from this node a model that only other nodes host, as this node's {@link ModelCatalog} discovered it:
   * requests are tokenized here with the model's own text files and routed to its replicas over there.
   */
  public ServedModel serveFromCluster(ActorSystem<?> system, ModelCard card, ModelText text) {
    ServingNode node = ServingNode.get(system);
    return new ServedModel(
        card.modelId(),
        Instant.now().getEpochSecond(),
        "robin",
        card.maxModelLen(),
        0,
        text.tokenizer(),
        text.chatTemplate(),
        startRouter(system, card.modelId(), List.of()),
        localOrClusterStats(system, card.modelId(), node));
  }

  private static ActorRef<ModelActor.Generate> startRouter(
      ActorSystem<?> system, String id, List<ActorRef<ModelActor.Command>> localReplicas) {
    // The router knows this node's replicas at once; other nodes' arrive with the receptionist's listing.
    return system.systemActorOf(
        ReplicaRouter.create(id, localReplicas),
        "model-" + URLEncoder.encode(id, StandardCharsets.UTF_8),
        Props.empty());
  }

  /**
   * The model's figures: its replicas' on this node; for a model this node hosts no replica of, its state across
   * the cluster (ready while any replica serves; /health's cluster_replicas shows each).
   */
  private static Supplier<ModelStats> localOrClusterStats(ActorSystem<?> system, String id, ServingNode node) {
    ClusterModels cluster = ClusterModels.get(system);
    return () -> node.board().summary(id)
        .orElseGet(() -> ModelStats.withoutEngine(id, null, cluster.counts(id).status()));
  }

  private static void loaderThread(Runnable task) {
    Thread t = new Thread(task, "robin-model-loader");
    t.setDaemon(true);
    t.start();
  }
}
