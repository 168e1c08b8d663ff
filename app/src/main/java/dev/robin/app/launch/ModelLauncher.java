package dev.robin.app.launch;

import com.typesafe.config.Config;
import dev.robin.api.model.ServedModel;
import dev.robin.serving.config.EngineSettings;
import dev.robin.serving.replica.LoadedModelEngineFactory;
import dev.robin.serving.replica.ModelProtocol;
import dev.robin.serving.replica.ModelShard;
import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.ModelStatsBoard;
import dev.robin.serving.replica.ReplicaId;
import dev.robin.serving.router.ReplicaRouter;
import dev.robin.engine.load.LoadedModel;
import dev.robin.engine.load.TorchThreads;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Serves each model as Cluster Sharding entities, one per replica ({@link ModelShard}), behind a
 * {@link ReplicaRouter}. The text side (tokenizer, chat template) is opened off the actor threads; each
 * replica loads its weights on its own pinned thread when its entity starts, and the model is handed to the
 * HTTP layer once every replica reports READY (or fails with the replica's message).
 */
public final class ModelLauncher {

  private static final Duration POLL = Duration.ofMillis(50);

  /** What one node shares between its models: one shard region, one stats board, one engine factory. */
  private record Node(ModelStatsBoard board, LoadedModelEngineFactory factory, String device) {}

  // By identity: two actor systems of the same name (two servers in one JVM, as in tests) compare equal.
  private static final Map<ActorSystem<?>, Node> NODES = Collections.synchronizedMap(new IdentityHashMap<>());

  /** Completes with the served model once it can take requests; fails with a message fit for an operator. */
  public CompletionStage<ServedModel> launch(ActorSystem<?> system, ModelSpec spec, Config config) {
    EngineSettings settings;
    try {
      settings = EngineSettings.from(config);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Node node = NODES.computeIfAbsent(system, s -> startNode(s, settings));
    return CompletableFuture
        .supplyAsync(() -> LoadedModel.open(spec.id(), spec.path(), settings.options()), this::loaderThread)
        .thenCompose(loaded -> {
          system.getWhenTerminated().thenRun(loaded::close);
          node.factory().register(loaded);
          return startReplicas(system, node, loaded, settings);
        });
  }

  private static Node startNode(ActorSystem<?> system, EngineSettings settings) {
    TorchThreads.configure(settings.torchThreads());
    Node node = new Node(
        new ModelStatsBoard(), new LoadedModelEngineFactory(List.of()), settings.options().device().toString());
    ModelShard.init(system, node.device(), node.factory(), node.board());
    system.getWhenTerminated().thenRun(() -> NODES.remove(system));
    return node;
  }

  private CompletionStage<ServedModel> startReplicas(
      ActorSystem<?> system, Node node, LoadedModel loaded, EngineSettings settings) {
    String id = loaded.id();
    int replicas = settings.replicas();
    ClusterSharding sharding = ClusterSharding.get(system);
    List<ReplicaId> ids = IntStream.range(0, replicas).mapToObj(i -> new ReplicaId(id, i)).toList();
    // An entity starts on its first message; a cancel of nothing starts it without side effects.
    ids.forEach(r -> ModelShard.entityRef(sharding, r).tell(new ModelProtocol.Cancel("robin-start-replica")));
    ActorRef<ModelProtocol.Command> router = system.systemActorOf(
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
    return awaitReady(system, node.board(), ids, Instant.now().plus(settings.loadTimeout()))
        .thenApply(ready -> served);
  }

  /** Completes when every replica is READY; fails on the first FAILED replica or at the deadline. */
  private static CompletableFuture<Void> awaitReady(
      ActorSystem<?> system, ModelStatsBoard board, List<ReplicaId> ids, Instant deadline) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable[] poll = new Runnable[1];
    poll[0] = () -> {
      boolean allReady = true;
      for (ReplicaId r : ids) {
        ModelStats.Status status = board.get(r.entityId()).map(ModelStats::status).orElse(ModelStats.Status.LOADING);
        if (status == ModelStats.Status.FAILED) {
          done.completeExceptionally(new IllegalStateException(
              "replica " + r.entityId() + " failed to load; see the log for the cause"));
          return;
        }
        allReady &= status == ModelStats.Status.READY;
      }
      if (allReady) {
        done.complete(null);
      } else if (Instant.now().isAfter(deadline)) {
        done.completeExceptionally(new IllegalStateException(
            "model did not load within robin.engine.load-timeout"));
      } else {
        system.scheduler().scheduleOnce(POLL, poll[0], system.executionContext());
      }
    };
    poll[0].run();
    return done;
  }

  private void loaderThread(Runnable task) {
    Thread t = new Thread(task, "robin-model-loader");
    t.setDaemon(true);
    t.start();
  }
}
